"""One zh/en label table for figures and tables.

Reports switch between Chinese and English by the case's ``language`` without touching
analysis code: analysis modules produce stable English column names and category codes,
and notebooks and plots translate them here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["LANGUAGES", "LABELS", "TEXT_PATTERNS", "column_label", "label", "segment_label",
           "translate_codes", "translate_columns", "translate_text", "is_translatable"]

LANGUAGES = ("zh", "en")

#: key -> {"zh": ..., "en": ...}. Each module adds its keys in its own block.
LABELS: dict[str, dict[str, str]] = {
    # --- canonical columns -------------------------------------------------------
    "customer_id": {"zh": "客户编号", "en": "Customer ID"},
    "order_id": {"zh": "订单编号", "en": "Order ID"},
    "date": {"zh": "日期", "en": "Date"},
    "amount": {"zh": "销售额", "en": "Revenue"},
    "quantity": {"zh": "数量", "en": "Quantity"},
    "cost": {"zh": "成本", "en": "Cost"},
    "gross_profit": {"zh": "毛利", "en": "Gross profit"},
    "sales_expense": {"zh": "销售费用", "en": "Sales expense"},
    "industry": {"zh": "行业", "en": "Industry"},
    "region": {"zh": "地区", "en": "Region"},
    "size": {"zh": "客户规模", "en": "Customer size"},
    "customer_type": {"zh": "客户类型", "en": "Customer type"},
    "account_manager": {"zh": "客户经理", "en": "Account manager"},
    "first_contact": {"zh": "首次接触日期", "en": "First contact"},
    # --- periodic series (workbench.series) ---------------------------------------
    "rfm_segment": {"zh": "RFM 客户群", "en": "RFM segment"},
    "class_before": {"zh": "上期类别", "en": "Class before"},
    "notebook": {"zh": "分析报告", "en": "Notebook"},
    "metric": {"zh": "指标", "en": "Metric"},
    "value_before": {"zh": "上期值", "en": "Previous period"},
    "value_now": {"zh": "本期值", "en": "This period"},
    "difference": {"zh": "变化", "en": "Change"},
    "relative_difference": {"zh": "变化率", "en": "Relative change"},
    "key_account_change": {"zh": "重点客户变化", "en": "Key-account change"},
    "rank_before": {"zh": "上期排名", "en": "Rank before"},
    "rank_now": {"zh": "本期排名", "en": "Rank now"},
    "score_before": {"zh": "上期得分", "en": "Score before"},
    "score_now": {"zh": "本期得分", "en": "Score now"},
    "new_key_account": {"zh": "新增重点客户", "en": "New key account"},
    "lost_key_account": {"zh": "不再是重点客户", "en": "No longer a key account"},
    # --- data overview (00) ------------------------------------------------------
    "period": {"zh": "期间", "en": "Period"},
    "revenue": {"zh": "销售额", "en": "Revenue"},
    "customers": {"zh": "客户数", "en": "Customers"},
    "orders": {"zh": "订单数", "en": "Orders"},
    "new_customers": {"zh": "新客户数", "en": "New customers"},
    "reason": {"zh": "原因", "en": "Reason"},
    "rows": {"zh": "行数", "en": "Rows"},
    "examples": {"zh": "示例", "en": "Examples"},
    "table": {"zh": "数据表", "en": "Table"},
    "file": {"zh": "文件", "en": "File"},
    "rows_in": {"zh": "读入行数", "en": "Rows in"},
    "kept": {"zh": "保留", "en": "Kept"},
    "quarantined": {"zh": "隔离", "en": "Quarantined"},
    "after_period": {"zh": "晚于本期", "en": "After the period"},
    "analysed": {"zh": "参与分析", "en": "Analysed"},
    "order_value": {"zh": "订单金额", "en": "Order value"},
    "orders_per_customer": {"zh": "每客户订单数", "en": "Orders per customer"},
    "count": {"zh": "计数", "en": "Count"},
    "share": {"zh": "占比", "en": "Share"},
    "row_share": {"zh": "占该行的比例", "en": "Share of the row"},
    "non_positive_not_shown": {"zh": "（{n:,} 个不大于 0 的值未显示）", "en": " ({n:,} values ≤ 0 not shown)"},
    "mean": {"zh": "均值", "en": "Mean"},
    # --- datasets.make_ncompany: N company codes and columns ---------------------
    "name": {"zh": "客户名称", "en": "Customer name"},
    "strategic_fit": {"zh": "战略匹配度", "en": "Strategic fit"},
    "industry_growth": {"zh": "行业增长率", "en": "Industry growth"},
    "share_of_wallet": {"zh": "钱包份额", "en": "Share of wallet"},
    "churn_reason": {"zh": "流失原因", "en": "Churn reason"},
    "churn_group": {"zh": "流失原因类别", "en": "Churn reason group"},
    "churn_date": {"zh": "流失日期", "en": "Churn date"},
    "year": {"zh": "年份", "en": "Year"},
    "visits": {"zh": "拜访次数", "en": "Sales visits"},
    "recommend": {"zh": "推荐意愿", "en": "Likelihood to recommend"},
    "product_id": {"zh": "产品", "en": "Product"},
    "channel": {"zh": "渠道", "en": "Channel"},
    "is_return": {"zh": "退货", "en": "Return"},
    "latent_segment": {"zh": "真实客户群", "en": "True segment"},
    "power": {"zh": "电力", "en": "Power utilities"},
    "construction": {"zh": "建筑", "en": "Construction"},
    "oem": {"zh": "机械OEM", "en": "OEM machinery"},
    "distributor": {"zh": "分销商", "en": "Distributors"},
    "key_account": {"zh": "重点客户", "en": "Key accounts"},
    "growing": {"zh": "成长型客户", "en": "Growing customers"},
    "stable_small": {"zh": "稳定小客户", "en": "Stable small customers"},
    "declining": {"zh": "衰退客户", "en": "Declining customers"},
    "churned": {"zh": "流失客户", "en": "Churned customers"},
    "moved": {"zh": "客户搬迁", "en": "Customer moved"},
    "lost_contact": {"zh": "失去联系", "en": "Lost contact"},
    "price": {"zh": "价格原因", "en": "Price"},
    "complaint_unresolved": {"zh": "投诉未妥善处理", "en": "Complaint not handled"},
    "poor_communication": {"zh": "沟通不畅/态度冷漠", "en": "Poor communication, indifference"},
    "competitor": {"zh": "竞争对手吸引", "en": "Competitors"},
    "peer_influence": {"zh": "周围人影响", "en": "People around the customer"},
    "customer_side": {"zh": "客户自身原因", "en": "Customer's own reasons"},
    "firm_side": {"zh": "企业自身原因", "en": "The firm's reasons"},
    "third_party": {"zh": "第三方原因", "en": "Third parties"},
    "east": {"zh": "华东", "en": "East China"},
    "north": {"zh": "华北", "en": "North China"},
    "south": {"zh": "华南", "en": "South China"},
    "central": {"zh": "华中", "en": "Central China"},
    "southwest": {"zh": "西南", "en": "Southwest China"},
    "northeast": {"zh": "东北", "en": "Northeast China"},
    "northwest": {"zh": "西北", "en": "Northwest China"},
    "end_user": {"zh": "终端用户", "en": "End user"},
    "contractor": {"zh": "工程承包商", "en": "Contractor"},
    "machine_builder": {"zh": "设备制造商", "en": "Machine builder"},
    "wholesaler": {"zh": "批发商", "en": "Wholesaler"},
    "retailer": {"zh": "零售商", "en": "Retailer"},
    "direct": {"zh": "直销", "en": "Direct sales"},
    "distribution": {"zh": "经销", "en": "Distribution"},
    "online": {"zh": "电商", "en": "Online"},
    "MCB": {"zh": "微型断路器", "en": "Miniature circuit breakers"},
    "MCCB": {"zh": "塑壳断路器", "en": "Moulded-case circuit breakers"},
    "ACB": {"zh": "框架断路器", "en": "Air circuit breakers"},
    "CONTACTOR": {"zh": "接触器", "en": "Contactors"},
    "RELAY": {"zh": "继电器", "en": "Relays"},
    "SWITCHGEAR": {"zh": "低压开关柜", "en": "Low-voltage switchgear"},
    "VFD": {"zh": "变频器", "en": "Variable-frequency drives"},
    # --- end datasets.make_ncompany ------------------------------------------------
    # --- satisfaction (issue 6, notebook 03) ----------------------------------------
    "IMAG": {"zh": "企业形象", "en": "Image"},
    "CUEX": {"zh": "顾客预期", "en": "Expectations"},
    "PERQ": {"zh": "感知质量", "en": "Perceived quality"},
    "PERV": {"zh": "感知价值", "en": "Perceived value"},
    "CUSA": {"zh": "顾客满意度", "en": "Satisfaction"},
    "CUSCO": {"zh": "顾客抱怨", "en": "Complaints"},
    "CUSL": {"zh": "顾客忠诚度", "en": "Loyalty"},
    "construct": {"zh": "潜变量", "en": "Construct"},
    "item": {"zh": "题项", "en": "Item"},
    "loading": {"zh": "外部载荷", "en": "Outer loading"},
    "weight": {"zh": "外部权重", "en": "Outer weight"},
    "cronbach_alpha": {"zh": "Cronbach's α", "en": "Cronbach's alpha"},
    "rho_a": {"zh": "rho_A", "en": "rho_A"},
    "rho_c": {"zh": "组合信度 CR", "en": "Composite reliability"},
    "ave": {"zh": "平均方差抽取量 AVE", "en": "AVE"},
    "item_total_r": {"zh": "校正项总计相关性 CITC", "en": "Corrected item-total r"},
    "alpha_if_deleted": {"zh": "项已删除的 α 系数", "en": "Alpha if item deleted"},
    "htmt": {"zh": "HTMT", "en": "HTMT"},
    "path_coefficient": {"zh": "路径系数", "en": "Path coefficient"},
    "r2": {"zh": "R²", "en": "R²"},
    "importance": {"zh": "重要性（总效应）", "en": "Importance (total effect)"},
    "performance": {"zh": "表现（0-100）", "en": "Performance (0-100)"},
    "index": {"zh": "指数（0-100）", "en": "Index (0-100)"},
    "concentrate_here": {"zh": "重点改进区", "en": "Concentrate here"},
    "keep_up_the_good_work": {"zh": "继续保持区", "en": "Keep up the good work"},
    "low_priority": {"zh": "次要改进区", "en": "Low priority"},
    "possible_overkill": {"zh": "过度投入区", "en": "Possible overkill"},
    "loyalist": {"zh": "忠诚者", "en": "Loyalist / apostle"},
    "mercenary": {"zh": "图利者", "en": "Mercenary"},
    "hostage": {"zh": "囚禁者", "en": "Hostage"},
    "defector": {"zh": "背叛者", "en": "Defector"},
    "linear": {"zh": "线性", "en": "Linear"},
    "quadratic": {"zh": "二次", "en": "Quadratic"},
    "piecewise": {"zh": "分段线性", "en": "Piecewise linear"},
    "threshold": {"zh": "阈值", "en": "Threshold"},
    "nps": {"zh": "净推荐值 NPS", "en": "Net Promoter Score"},
    "promoters": {"zh": "推荐者", "en": "Promoters"},
    "passives": {"zh": "被动者", "en": "Passives"},
    "detractors": {"zh": "贬损者", "en": "Detractors"},
    # --- end satisfaction -----------------------------------------------------------
    # --- features and clv (issue 4: customer features, CLV) ------------------------
    "first_purchase": {"zh": "首次购买日期", "en": "First purchase"},
    "last_purchase": {"zh": "最近购买日期", "en": "Last purchase"},
    "recency_days": {"zh": "最近购买间隔（天）", "en": "Recency (days)"},
    "tenure_days": {"zh": "客户关系时长（天）", "en": "Tenure (days)"},
    "monetary_total": {"zh": "消费总额", "en": "Total spend"},
    "monetary_mean": {"zh": "平均每次消费额", "en": "Mean spend per purchase"},
    "margin_rate": {"zh": "毛利率", "en": "Gross margin rate"},
    "active_periods": {"zh": "活跃期数", "en": "Active periods"},
    "spend_trend": {"zh": "消费趋势（斜率）", "en": "Spend trend (slope)"},
    "n_returns": {"zh": "退货次数", "en": "Returns"},
    "repeat_frequency": {"zh": "重复购买次数", "en": "Repeat purchases"},
    "monetary_value": {"zh": "平均重复购买金额", "en": "Mean repeat spend"},
    "frequency_holdout": {"zh": "验证期购买次数", "en": "Holdout purchases"},
    "retention": {"zh": "客户保持率", "en": "Retention rate"},
    "clv": {"zh": "客户终生价值 CLV", "en": "Customer lifetime value"},
    "change_pct": {"zh": "变化（%）", "en": "Change (%)"},
    "p_alive": {"zh": "存活概率 P(alive)", "en": "P(alive)"},
    "expected_purchases": {"zh": "预期购买次数", "en": "Expected purchases"},
    "expected_spend": {"zh": "预期每次消费额", "en": "Expected spend per purchase"},
    "actual": {"zh": "实际", "en": "Actual"},
    "predicted": {"zh": "模型预测", "en": "Predicted"},
    "week": {"zh": "周", "en": "Week"},
    "day": {"zh": "天", "en": "Day"},
    "cumulative_repeat_purchases": {"zh": "累计重复购买次数", "en": "Cumulative repeat purchases"},
    "calibration_end": {"zh": "校准期结束", "en": "End of calibration"},
    "calibration_frequency": {"zh": "校准期重复购买次数", "en": "Repeat purchases in calibration"},
    "holdout_mean_purchases": {"zh": "验证期平均购买次数", "en": "Mean purchases in holdout"},
    # --- end features and clv ---------------------------------------------------------
    # --- lifecycle and churn (issue 7, notebook 04) ------------------------------------
    "stage": {"zh": "生命周期阶段", "en": "Lifecycle stage"},
    "stage_exploration": {"zh": "考察期", "en": "Exploration"},
    "stage_formation": {"zh": "形成期", "en": "Formation"},
    "stage_stability": {"zh": "稳定期", "en": "Stability"},
    "stage_decline": {"zh": "退化期", "en": "Decline"},
    "stage_churned": {"zh": "流失", "en": "Churned"},
    # the bare stage codes, as they appear in tables (churned is the segment label above)
    "exploration": {"zh": "考察期", "en": "Exploration"},
    "formation": {"zh": "形成期", "en": "Formation"},
    "stability": {"zh": "稳定期", "en": "Stability"},
    "decline": {"zh": "退化期", "en": "Decline"},
    "frequency": {"zh": "购买次数", "en": "Purchases"},
    "n_periods": {"zh": "关系期数", "en": "Periods since first purchase"},
    "spend_per_period": {"zh": "每期平均消费", "en": "Spend per period"},
    "recent_spend": {"zh": "近期每期消费", "en": "Recent spend per period"},
    "slope": {"zh": "消费趋势斜率", "en": "Spend slope"},
    "slope_normalised": {"zh": "标准化斜率", "en": "Normalised slope"},
    "trend_r2": {"zh": "趋势 R²", "en": "Trend R²"},
    "trend_p_value": {"zh": "趋势 p 值", "en": "Trend p-value"},
    "churn_horizon_days": {"zh": "流失期限（天）", "en": "Churn horizon (days)"},
    "order": {"zh": "判定顺序", "en": "Order"},
    "rule": {"zh": "判定规则", "en": "Rule"},
    "mean_spend_per_period": {"zh": "每期平均消费（均值）", "en": "Mean spend per period"},
    "mean_recent_spend": {"zh": "近期每期消费（均值）", "en": "Mean recent spend per period"},
    "mean_monetary_total": {"zh": "消费总额（均值）", "en": "Mean total spend"},
    "value_curve": {"zh": "生命周期价值曲线", "en": "Value by lifecycle stage"},
    "from": {"zh": "期初", "en": "From"},
    "to": {"zh": "期末", "en": "To"},
    "(new)": {"zh": "（新客户）", "en": "(new)"},
    "(absent)": {"zh": "（未出现）", "en": "(absent)"},
    "migration": {"zh": "客户迁移矩阵", "en": "Migration matrix"},
    "cohort": {"zh": "获客批次", "en": "Acquisition cohort"},
    "periods_since": {"zh": "获客后期数", "en": "Periods since acquisition"},
    "customer_retention": {"zh": "客户保留率", "en": "Customer retention"},
    "revenue_retention": {"zh": "收入保留率", "en": "Revenue retention"},
    "revenue_0": {"zh": "首期销售额", "en": "Revenue in period 0"},
    "active": {"zh": "活跃客户数", "en": "Active customers"},
    "new": {"zh": "新客户数", "en": "New customers"},
    "retained": {"zh": "保留客户数", "en": "Retained customers"},
    "reactivated": {"zh": "回流客户数", "en": "Reactivated customers"},
    "churn_rate": {"zh": "流失率", "en": "Churn rate"},
    "segment": {"zh": "客户群", "en": "Segment"},
    "all": {"zh": "全部客户", "en": "All customers"},
    "days": {"zh": "天数", "en": "Days"},
    "survival": {"zh": "存活率", "en": "Survival"},
    "at_risk": {"zh": "风险集人数", "en": "At risk"},
    "events": {"zh": "流失事件数", "en": "Events"},
    "median_days": {"zh": "中位存活天数", "en": "Median survival (days)"},
    "median_ci_lower": {"zh": "中位数置信下限", "en": "Median CI lower"},
    "median_ci_upper": {"zh": "中位数置信上限", "en": "Median CI upper"},
    "ci_lower": {"zh": "置信下限", "en": "CI lower"},
    "ci_upper": {"zh": "置信上限", "en": "CI upper"},
    "group": {"zh": "类别", "en": "Group"},
    "reference_share": {"zh": "教材参考占比", "en": "Reference share (lecture)"},
    "unmapped": {"zh": "未归类原因", "en": "Unmapped reasons"},
    "scenario": {"zh": "情景", "en": "Scenario"},
    "minus": {"zh": "保持率降低", "en": "Lower retention"},
    "base": {"zh": "当前保持率", "en": "Current retention"},
    "plus": {"zh": "保持率提高", "en": "Higher retention"},
    "clv_change_pct": {"zh": "CLV 变化（%）", "en": "CLV change (%)"},
    "profit": {"zh": "客户群总利润（折现）", "en": "Profit of the base (discounted)"},
    "profit_change": {"zh": "利润变化", "en": "Profit change"},
    # --- end lifecycle and churn ---------------------------------------------------------
    # --- value (issue 4 part B: ABC, RFM, value matrix, key accounts, notebook 01) -----
    "value": {"zh": "价值", "en": "Value"},
    "rank": {"zh": "排名", "en": "Rank"},
    "value_share": {"zh": "价值占比", "en": "Value share"},
    "cumulative_share": {"zh": "累计价值占比", "en": "Cumulative value share"},
    "customer_share": {"zh": "客户占比", "en": "Customer share"},
    "abc_class": {"zh": "ABC 类别", "en": "ABC class"},
    "value_class": {"zh": "价值类别", "en": "Value class"},
    "strategy": {"zh": "资源策略", "en": "Strategy"},
    "strategy_key": {"zh": "重点投入：配备专属客户团队，优先配置销售资源",
                     "en": "Invest: a dedicated account team and priority sales resources"},
    "strategy_maintain": {"zh": "维持：保持服务与关系，不追加投入",
                          "en": "Maintain: keep service and relationship, no extra spend"},
    "strategy_develop": {"zh": "发展：有选择地投入，提高钱包份额",
                         "en": "Develop: invest selectively to win a larger share of wallet"},
    "strategy_minimise_cost": {"zh": "最小化成本：标准化、低成本的服务渠道",
                               "en": "Minimise cost: standard, low-cost service channels"},
    "kmeans_segment": {"zh": "k-means 客户群", "en": "k-means segment"},
    # --- RFM actions: the recommended action per segment of both RFM schemes (value.rfm.RFM_ACTIONS) ---
    "rfm_action_champions": {"zh": "给予奖励与新品优先体验，邀请评价和转介绍",
                           "en": "Reward them; early access to new products; ask for reviews and referrals"},
    "rfm_action_loyal": {"zh": "向上销售高价值产品，纳入会员忠诚计划",
                       "en": "Upsell higher-value products; loyalty programme; ask for reviews"},
    "rfm_action_potential_loyalist": {"zh": "推荐会员计划和相关产品，培养为忠诚客户",
                                    "en": "Offer membership or loyalty programme; recommend related products"},
    "rfm_action_recent_customers": {"zh": "做好新客户引导与首购后服务，尽早建立关系",
                                  "en": "Onboarding support; build the relationship early"},
    "rfm_action_promising": {"zh": "加强品牌认知，提供试用", "en": "Create brand awareness; free trials"},
    "rfm_action_need_attention": {"zh": "限时优惠，根据历史购买推荐产品",
                                "en": "Limited-time offers; recommend based on past purchases"},
    "rfm_action_about_to_sleep": {"zh": "推送热门产品和有价值的信息，重新建立联系",
                                "en": "Share valuable resources; recommend popular products; reconnect"},
    "rfm_action_at_risk_customers": {"zh": "个性化邮件或电话回访，提供续约优惠",
                                   "en": "Personalised e-mails or calls to reconnect; offer renewals"},
    "rfm_action_cant_lose_them": {"zh": "主动沟通、推出新品挽回，防止流向竞争对手",
                                "en": "Win them back with new products; talk to them, do not lose them "
                                      "to a competitor"},
    "rfm_action_hibernating": {"zh": "推荐其他相关产品与专项折扣，重建品牌价值",
                             "en": "Offer other relevant products and special discounts; recreate brand value"},
    "rfm_action_lost": {"zh": "可尝试唤回活动，否则减少投入",
                      "en": "Revive interest with an outreach campaign; otherwise spend little"},
    "rfm_action_important_value": {"zh": "重点维护：提供专属服务，倾斜优质资源",
                                 "en": "Keep them: dedicated service, priority resources"},
    "rfm_action_important_development": {"zh": "重点发展：提高购买频次，交叉销售，定期联系",
                                       "en": "Raise purchase frequency: cross-sell, regular contact"},
    "rfm_action_important_retention": {"zh": "重点保持：购买频繁但近期未购，主动联系唤回",
                                     "en": "Bring them back: they bought often but not lately; contact proactively"},
    "rfm_action_important_winback": {"zh": "重点挽留：高价值但流失风险大，查明原因并挽回",
                                   "en": "Win back: high value at risk of churning; find out why and act"},
    "rfm_action_general_value": {"zh": "提升客单价：向上销售、组合销售",
                               "en": "Raise spend per purchase: upsell, bundles"},
    "rfm_action_general_development": {"zh": "低成本培育：促销活动与自动化营销",
                                     "en": "Nurture at low cost: promotions, automated contact"},
    "rfm_action_general_retention": {"zh": "低成本提醒，维持购买", "en": "Low-cost reminders to keep them buying"},
    "rfm_action_general_winback": {"zh": "控制成本，仅纳入大众化营销",
                                 "en": "Minimise cost; include only in mass campaigns"},
    "nonpositive": {"zh": "价值非正", "en": "Zero or negative value"},
    "min_value": {"zh": "最小值", "en": "Minimum"},
    "max_value": {"zh": "最大值", "en": "Maximum"},
    "A": {"zh": "A 类", "en": "A"},
    "B": {"zh": "B 类", "en": "B"},
    "C": {"zh": "C 类", "en": "C"},
    "gini": {"zh": "基尼系数", "en": "Gini coefficient"},
    "top20_share": {"zh": "前 20% 客户价值占比", "en": "Top-20% customers' share"},
    "lorenz_curve": {"zh": "洛伦兹曲线", "en": "Lorenz curve"},
    "equality_line": {"zh": "绝对平均线", "en": "Line of equality"},
    "monetary": {"zh": "消费金额", "en": "Monetary"},
    "r_score": {"zh": "R 得分", "en": "R score"},
    "f_score": {"zh": "F 得分", "en": "F score"},
    "m_score": {"zh": "M 得分", "en": "M score"},
    "fm_score": {"zh": "FM 得分", "en": "FM score"},
    "rfm_cell": {"zh": "RFM 组合", "en": "RFM cell"},
    "r_high": {"zh": "R 高（近期购买）", "en": "R high (recent)"},
    "f_high": {"zh": "F 高", "en": "F high"},
    "m_high": {"zh": "M 高", "en": "M high"},
    "rfm_class": {"zh": "RFM 客户类别", "en": "RFM class"},
    "revenue_share": {"zh": "销售额占比", "en": "Revenue share"},
    "mean_recency_days": {"zh": "平均最近购买间隔（天）", "en": "Mean recency (days)"},
    "mean_frequency": {"zh": "平均购买次数", "en": "Mean purchases"},
    "mean_monetary": {"zh": "平均消费金额", "en": "Mean spend"},
    "action": {"zh": "建议措施", "en": "Recommended action"},
    "champions": {"zh": "冠军客户", "en": "Champions"},
    "loyal": {"zh": "忠诚客户", "en": "Loyal"},
    "potential_loyalist": {"zh": "潜在忠诚客户", "en": "Potential loyalist"},
    "recent_customers": {"zh": "新近客户", "en": "New customers"},
    "promising": {"zh": "有潜力客户", "en": "Promising"},
    "need_attention": {"zh": "需要关注客户", "en": "Need attention"},
    "about_to_sleep": {"zh": "即将沉睡客户", "en": "About to sleep"},
    "at_risk_customers": {"zh": "有流失风险客户", "en": "At risk"},
    "cant_lose_them": {"zh": "不能失去的客户", "en": "Can't lose them"},
    "hibernating": {"zh": "休眠客户", "en": "Hibernating"},
    "lost": {"zh": "已流失客户", "en": "Lost"},
    "important_value": {"zh": "重要价值客户", "en": "Important value"},
    "important_development": {"zh": "重要发展客户", "en": "Important development"},
    "important_retention": {"zh": "重要保持客户", "en": "Important retention"},
    "important_winback": {"zh": "重要挽留客户", "en": "Important win-back"},
    "general_value": {"zh": "一般价值客户", "en": "General value"},
    "general_development": {"zh": "一般发展客户", "en": "General development"},
    "general_retention": {"zh": "一般保持客户", "en": "General retention"},
    "general_winback": {"zh": "一般挽留客户", "en": "General win-back"},
    "share_of_wallet_gap": {"zh": "钱包份额差距", "en": "Share-of-wallet gap"},
    "current_score": {"zh": "当前价值得分", "en": "Current value score"},
    "potential_score": {"zh": "增值潜力得分", "en": "Growth potential score"},
    "current_high": {"zh": "当前价值高", "en": "High current value"},
    "potential_high": {"zh": "增值潜力高", "en": "High growth potential"},
    "n_missing_indicators": {"zh": "缺失指标数", "en": "Missing indicators"},
    "quadrant": {"zh": "价值矩阵象限", "en": "Value-matrix quadrant"},
    "key": {"zh": "重要客户（重点投入）", "en": "Key customers (invest)"},
    "maintain": {"zh": "维持型客户（维持）", "en": "Maintain"},
    "develop": {"zh": "发展型客户（发展）", "en": "Develop"},
    "minimise_cost": {"zh": "次要客户（最小化成本）", "en": "Minimise cost"},
    "criterion": {"zh": "评价指标", "en": "Criterion"},
    "criterion_weight": {"zh": "指标权重", "en": "Weight"},
    "ahp_weight": {"zh": "层次分析法权重", "en": "AHP weight"},
    "entropy_weight": {"zh": "熵权法权重", "en": "Entropy weight"},
    "entropy": {"zh": "信息熵", "en": "Entropy"},
    "divergence": {"zh": "差异系数", "en": "Divergence"},
    "lambda_max": {"zh": "最大特征根 λmax", "en": "lambda max"},
    "ci": {"zh": "一致性指标 CI", "en": "CI"},
    "ri": {"zh": "随机一致性指标 RI", "en": "RI"},
    "cr": {"zh": "一致性比率 CR", "en": "CR"},
    "score": {"zh": "综合得分", "en": "Score"},
    "monetary_mean_norm": {"zh": "交易规模（标准化）", "en": "Transaction size (normalised)"},
    "frequency_norm": {"zh": "交易频率（标准化）", "en": "Frequency (normalised)"},
    "size_norm": {"zh": "客户规模（标准化）", "en": "Customer size (normalised)"},
    "spend_trend_norm": {"zh": "客户成长性（标准化）", "en": "Customer growth (normalised)"},
    "industry_growth_norm": {"zh": "行业成长性（标准化）", "en": "Industry growth (normalised)"},
    "strategic_fit_norm": {"zh": "战略匹配度（标准化）", "en": "Strategic fit (normalised)"},
    "sales": {"zh": "销售额", "en": "Sales"},
    "gross_margin_rate": {"zh": "毛利率", "en": "Gross margin rate"},
    "sales_share": {"zh": "销售额占比", "en": "Sales share"},
    "average_stock": {"zh": "平均库存", "en": "Average stock"},
    "turnover": {"zh": "周转率", "en": "Turnover"},
    "cross_ratio": {"zh": "交叉比率", "en": "Cross ratio"},
    "contribution_ratio": {"zh": "贡献比率", "en": "Contribution ratio"},
    "row_type": {"zh": "行类型", "en": "Row type"},
    "share_within_class": {"zh": "类内占比", "en": "Share within class"},
    "share_of_total": {"zh": "占总销售额比例", "en": "Share of total"},
    "subtotal": {"zh": "小计", "en": "Subtotal"},
    "total": {"zh": "合计", "en": "Total"},
    "customer": {"zh": "客户", "en": "Customer"},
    # --- end value ------------------------------------------------------------------------
    # --- segmentation (issue 5, notebook 02) ---------------------------------------------
    "segment_name": {"zh": "客户群名称", "en": "Segment name"},
    "overall": {"zh": "全部客户", "en": "Overall"},
    "n_customers": {"zh": "客户数", "en": "Customers"},
    "share_customers": {"zh": "客户占比", "en": "Share of customers"},
    "share_revenue": {"zh": "销售额占比", "en": "Share of revenue"},
    "share_gross_profit": {"zh": "毛利占比", "en": "Share of gross profit"},
    "k": {"zh": "聚类数 k", "en": "Number of clusters k"},
    "inertia": {"zh": "组内平方和（SSE）", "en": "Inertia (within-cluster SS)"},
    "silhouette": {"zh": "轮廓系数", "en": "Silhouette"},
    "null_silhouette": {"zh": "无结构参照轮廓系数", "en": "Silhouette of a single Gaussian"},
    "silhouette_gain": {"zh": "轮廓系数增益", "en": "Silhouette gain over the null"},
    "calinski_harabasz": {"zh": "CH 指数", "en": "Calinski-Harabasz"},
    "davies_bouldin": {"zh": "DB 指数", "en": "Davies-Bouldin"},
    "stability_mean": {"zh": "稳定性（自助法 ARI 均值）", "en": "Stability (bootstrap ARI mean)"},
    "stability_sd": {"zh": "稳定性标准差", "en": "Stability SD"},
    "stability_band": {"zh": "均值 ± 标准差（ARI 不超过 1）", "en": "mean ± SD (ARI at most 1)"},
    "knee": {"zh": "肘部", "en": "Elbow"},
    "recommended": {"zh": "推荐", "en": "Recommended"},
    "chosen": {"zh": "采用", "en": "Chosen"},
    "feature": {"zh": "变量", "en": "Feature"},
    "n": {"zh": "样本量", "en": "N"},
    "F": {"zh": "F 值", "en": "F"},
    "df_between": {"zh": "组间自由度", "en": "df between"},
    "df_within": {"zh": "组内自由度", "en": "df within"},
    "p_anova": {"zh": "方差分析 p 值", "en": "ANOVA p"},
    "eta_squared": {"zh": "η²", "en": "Eta squared"},
    "H": {"zh": "Kruskal-Wallis H", "en": "Kruskal-Wallis H"},
    "p_kruskal": {"zh": "Kruskal-Wallis p 值", "en": "Kruskal-Wallis p"},
    "epsilon_squared": {"zh": "ε²", "en": "Epsilon squared"},
    "skewness": {"zh": "偏度", "en": "Skewness"},
    "suggested_test": {"zh": "建议检验", "en": "Suggested test"},
    "anova": {"zh": "单因素方差分析", "en": "One-way ANOVA"},
    "kruskal": {"zh": "Kruskal-Wallis 检验", "en": "Kruskal-Wallis"},
    "transform": {"zh": "变换", "en": "Transform"},
    "centroid_vs_overall": {"zh": "相对总体均值（标准差倍数）", "en": "Mean vs overall (SDs)"},
    "previous_segment": {"zh": "上期客户群", "en": "Previous segment"},
    "current_segment": {"zh": "本期客户群", "en": "Current segment"},
    "weak_segmentation": {"zh": "聚类结构较弱", "en": "Weak segmentation"},
    "column": {"zh": "变量", "en": "Column"},
    "n_filled": {"zh": "填补个数", "en": "Values filled"},
    "fill_value": {"zh": "填补值", "en": "Fill value"},
    "clip_low": {"zh": "缩尾下限", "en": "Clipped below"},
    "clip_high": {"zh": "缩尾上限", "en": "Clipped above"},
    "center": {"zh": "中心", "en": "Centre"},
    "scale": {"zh": "尺度", "en": "Scale"},
    "code": {"zh": "代码", "en": "Code"},
    "weak": {"zh": "结构较弱", "en": "Weak"},
    "quality": {"zh": "聚类质量", "en": "Quality"},
    "ari_vs_truth": {"zh": "与真实客户群的调整兰德指数", "en": "Adjusted Rand index vs the true segments"},
    # --- end segmentation -----------------------------------------------------------------
    # --- prospects and the sales funnel (issue 15, notebook 06) ---------------------------
    "opportunity_id": {"zh": "商机编号", "en": "Opportunity ID"},
    "stage_date": {"zh": "进入阶段日期", "en": "Stage entered"},
    "created": {"zh": "创建日期", "en": "Created"},
    "expected_value": {"zh": "预计成交金额", "en": "Expected deal value"},
    "owner": {"zh": "负责销售", "en": "Owner"},
    "money": {"zh": "购买力（M）", "en": "Money (M)"},
    "authority": {"zh": "决策权（A）", "en": "Authority (A)"},
    "need": {"zh": "需求（N）", "en": "Need (N)"},
    "lost_reason": {"zh": "输单原因", "en": "Lost reason"},
    "lead": {"zh": "线索（潜在客户）", "en": "Lead"},
    "qualified": {"zh": "需求确认", "en": "Qualified"},
    "proposal": {"zh": "方案报价", "en": "Proposal"},
    "negotiation": {"zh": "商务谈判", "en": "Negotiation"},
    "closed_won": {"zh": "赢单", "en": "Won"},
    "closed_lost": {"zh": "输单", "en": "Lost deal"},
    "deal_won": {"zh": "赢单", "en": "Won"},
    "deal_lost": {"zh": "输单", "en": "Lost"},
    "deal_open": {"zh": "进行中", "en": "Open"},
    "all_deals": {"zh": "全部商机", "en": "All opportunities"},
    "man_high": {"zh": "MAN 高（合格）", "en": "MAN high (qualified)"},
    "man_medium": {"zh": "MAN 中", "en": "MAN medium"},
    "man_low": {"zh": "MAN 低", "en": "MAN low"},
    "man_unknown": {"zh": "MAN 未评估", "en": "MAN not assessed"},
    "no_budget": {"zh": "客户预算不足", "en": "No budget"},
    "project_cancelled": {"zh": "客户项目取消", "en": "Project cancelled"},
    "slow_response": {"zh": "响应/报价太慢", "en": "Slow response or quote"},
    "product_fit": {"zh": "产品不符合需求", "en": "Product did not fit"},
    "stage_reached": {"zh": "已到达阶段", "en": "Stage reached"},
    "stage_rank": {"zh": "阶段序号", "en": "Stage number"},
    "outcome": {"zh": "结果", "en": "Outcome"},
    "closed_date": {"zh": "结束日期", "en": "Closed"},
    "age_days": {"zh": "历时（天）", "en": "Age (days)"},
    "money_score": {"zh": "购买力得分", "en": "Money score"},
    "authority_score": {"zh": "决策权得分", "en": "Authority score"},
    "need_score": {"zh": "需求得分", "en": "Need score"},
    "man_score": {"zh": "MAN 得分", "en": "MAN score"},
    "man_pattern": {"zh": "MAN 组合", "en": "MAN pattern"},
    "man_class": {"zh": "MAN 类别", "en": "MAN class"},
    "funnel_stage": {"zh": "销售阶段", "en": "Funnel stage"},
    "entered": {"zh": "进入数", "en": "Entered"},
    "advanced": {"zh": "推进数", "en": "Moved on"},
    "deals_lost": {"zh": "输单数", "en": "Lost"},
    "deals_open": {"zh": "进行中", "en": "Open"},
    "deals_won": {"zh": "赢单数", "en": "Won"},
    "deals_closed": {"zh": "已结束", "en": "Closed"},
    "share_of_first": {"zh": "占线索比例", "en": "Share of leads"},
    "conversion": {"zh": "阶段转化率", "en": "Stage conversion"},
    "p_reach": {"zh": "到达概率", "en": "P(reach)"},
    "p_win": {"zh": "赢单概率", "en": "P(win)"},
    "p_win_ci_lower": {"zh": "赢单概率下限", "en": "P(win) CI lower"},
    "p_win_ci_upper": {"zh": "赢单概率上限", "en": "P(win) CI upper"},
    "opportunities": {"zh": "商机数", "en": "Opportunities"},
    "win_rate": {"zh": "赢单率", "en": "Win rate"},
    "without_value": {"zh": "缺预计金额", "en": "Without a value"},
    "weighted_value": {"zh": "加权金额", "en": "Weighted value"},
    "pipeline_value": {"zh": "在途商机加权价值", "en": "Weighted value of the open pipeline"},
    "left": {"zh": "已离开该阶段", "en": "Left the stage"},
    "still_open": {"zh": "仍在该阶段", "en": "Still in the stage"},
    "median_days_in_stage": {"zh": "停留天数中位数", "en": "Median days in stage"},
    "q25_days": {"zh": "25% 分位（天）", "en": "25th percentile (days)"},
    "q75_days": {"zh": "75% 分位（天）", "en": "75th percentile (days)"},
    "in_stage": {"zh": "仍在阶段数", "en": "In the stage"},
    "left_stage": {"zh": "当日离开数", "en": "Left that day"},
    "remaining": {"zh": "仍在该阶段的比例", "en": "Share still in the stage"},
    "time_in_stage": {"zh": "各阶段停留时间", "en": "Time in each stage"},
    "prospect_expense": {"zh": "获客销售费用", "en": "Sales expense on prospects"},
    "customers_won": {"zh": "新获客户数", "en": "Customers won"},
    "acquisition_cost": {"zh": "获客成本（每客户）", "en": "Acquisition cost per customer"},
    "customer_years": {"zh": "老客户年数", "en": "Existing customer-years"},
    "retention_cost": {"zh": "保留成本（每客户每年）", "en": "Retention cost per customer-year"},
    "cost_ratio": {"zh": "获客成本 / 保留成本", "en": "Acquisition / retention cost"},
    "rule_of_thumb": {"zh": "经验法则（约 5 倍）", "en": "Rule of thumb (about 5x)"},
    "ratio_to_rule": {"zh": "相对经验法则", "en": "Relative to the rule"},
    "mean_clv": {"zh": "平均客户终生价值", "en": "Mean CLV"},
    "clv_minus_acquisition": {"zh": "终生价值减获客成本", "en": "CLV minus acquisition cost"},
    "clv_to_acquisition": {"zh": "终生价值 / 获客成本", "en": "CLV / acquisition cost"},
    "acquisition_vs_retention": {"zh": "获客成本与保留成本之比", "en": "Winning versus keeping a customer"},
    "lost_reasons": {"zh": "输单原因分类", "en": "Why deals were lost"},
    "lost_deal_share": {"zh": "输单占比", "en": "Share of lost deals"},
    "estimate": {"zh": "估计值", "en": "Estimate"},
    "lower": {"zh": "下限", "en": "Lower"},
    "upper": {"zh": "上限", "en": "Upper"},
    "truth": {"zh": "真实值", "en": "Truth"},
    "covered": {"zh": "区间覆盖真实值", "en": "Interval covers the truth"},
    "funnel_chart": {"zh": "销售漏斗", "en": "Sales funnel"},
    "funnel_chart_note": {"zh": "条形：进入各阶段的商机数（占线索比例）；↓：阶段转化率（不计进行中商机）",
                          "en": "Bars: opportunities entering each stage (share of leads); "
                                "↓: stage conversion (open deals left out)"},
    # sentences of notebook 06, filled with str.format
    "funnel_sentence": {
        "zh": "{leads:,} 条线索中，{mid:,} 条进入“{mid_stage}”（{mid_share:.0%}），{won:,} 条赢单（{won_share:.1%}），"
              "{open:,} 条仍在进行中。不计进行中商机，一条新线索的赢单概率为 {p_win:.1%}（{level:.0%} 置信区间 "
              "{lo:.1%}–{hi:.1%}）；已结束商机的赢单率为 {win_rate:.1%}。",
        "en": "Of {leads:,} leads, {mid:,} reached {mid_stage} ({mid_share:.0%}) and {won:,} were won "
              "({won_share:.1%}); {open:,} are still open. Leaving the open ones out, a new lead is won with "
              "probability {p_win:.1%} ({level:.0%} interval {lo:.1%}-{hi:.1%}); the win rate of closed "
              "deals is {win_rate:.1%}."},
    "man_sentence": {
        "zh": "MAN 高的商机赢单率 {high:.1%}，MAN 低的 {low:.1%}（相差 {ratio:.1f} 倍）；{test} 检验 {p}，"
              "{verdict}",
        "en": "MAN-high deals are won {high:.1%} of the time, MAN-low ones {low:.1%} ({ratio:.1f} times less "
              "often); {test} test {p}: {verdict}"},
    "man_matters": {"zh": "资格评估与赢单显著相关：先做 MAN 评估，把精力放在合格客户上。",
                    "en": "qualification goes with winning; qualify before investing sales time."},
    "man_no_evidence": {"zh": "数据不足以说明资格评估与赢单有关。",
                        "en": "the data do not show that qualification goes with winning."},
    "pipeline_sentence": {
        "zh": "在途商机 {n:,} 条，预计金额合计 {value:,.0f} {currency}；按历史各阶段赢单概率加权，预计可成交 "
              "{weighted:,.0f} {currency}（{level:.0%} 置信区间 {lo:,.0f}–{hi:,.0f}）。"
              "即使概率准确，实际成交额也会有约 ±{sd:,.0f} {currency} 的波动。",
        "en": "{n:,} open deals worth {value:,.0f} {currency} in total; weighted by the stage win probabilities "
              "estimated from past deals, expect {weighted:,.0f} {currency} ({level:.0%} interval "
              "{lo:,.0f}-{hi:,.0f}). Even with exact probabilities the value won varies by about "
              "±{sd:,.0f} {currency}."},
    "cost_sentence": {
        "zh": "赢得一个新客户花费 {acq:,.0f} {currency} 销售费用（全部商机的费用 / 新获客户数），"
              "保留一个老客户每年花费 {ret:,.0f} {currency}：前者是后者的 {ratio:.1f} 倍，经验法则约为 {rule:g} 倍。",
        "en": "Winning a customer costs {acq:,.0f} {currency} in sales expense (all opportunities' expense / "
              "customers won); keeping one costs {ret:,.0f} {currency} a year: {ratio:.1f} times as much, "
              "against the rule of thumb of about {rule:g}."},
    "funnel_no_expense": {"zh": "商机表没有销售费用列（sales_expense），无法计算获客成本。",
                          "en": "The opportunities have no sales_expense column; no acquisition cost."},
    "funnel_no_retention": {"zh": "没有老客户的销售费用数据（sales_expense 表或交易中的 sales_expense 列）。",
                            "en": "No sales expense of existing customers (a sales_expense table or column)."},
    "funnel_no_value": {"zh": "商机表没有预计金额列（expected_value），无法估计在途商机价值。",
                        "en": "The opportunities have no expected_value column; no pipeline value."},
    "funnel_no_man": {"zh": "商机表没有 MAN 评估列（money、authority、need）。",
                      "en": "The opportunities have no MAN answers (money, authority, need)."},
    "funnel_no_reason": {"zh": "商机表没有输单原因列（lost_reason）。",
                         "en": "The opportunities record no lost reason (lost_reason)."},
    "funnel_no_clv": {"zh": "商机未关联到有交易的客户，无法比较终生价值与获客成本。",
                      "en": "The won opportunities are not linked to customers with transactions; no CLV link."},
    "funnel_no_truth": {"zh": "本案例没有生成数据的真实值。", "en": "No generator truth for this case."},
    "clv_no_opportunities": {"zh": "本案例没有商机表（opportunities），没有获客成本可与客户终生价值相减。",
                             "en": "The case has no opportunities table: no acquisition cost to subtract "
                                   "from the CLV."},
    # --- end funnel ----------------------------------------------------------------------
    # --- allocation (05): sales-resource allocation ------------------------------
    "dimension": {"zh": "分析维度", "en": "Dimension"},
    "unclassified": {"zh": "未分类", "en": "Unclassified"},
    "gp_per_expense": {"zh": "毛利/销售费用（投入产出比）", "en": "Gross profit per yuan of sales expense"},
    "gp_per_expense_short": {"zh": "投入产出比", "en": "GP/expense"},
    "revenue_per_expense": {"zh": "销售额/销售费用", "en": "Revenue per yuan of sales expense"},
    "expense_share": {"zh": "销售费用占比", "en": "Share of sales expense"},
    "gp_share": {"zh": "毛利占比", "en": "Share of gross profit"},
    "share_gap": {"zh": "毛利占比 − 费用占比", "en": "GP share − expense share"},
    "elasticity": {"zh": "弹性系数 b", "en": "Elasticity b"},
    "std_error": {"zh": "标准误", "en": "Standard error"},
    "ci_low": {"zh": "95% 区间下限", "en": "95 % interval, low"},
    "ci_high": {"zh": "95% 区间上限", "en": "95 % interval, high"},
    "within_r2": {"zh": "组内 R²", "en": "Within R²"},
    "curvature": {"zh": "曲率项系数", "en": "Curvature term"},
    "curvature_p": {"zh": "曲率项 p 值", "en": "Curvature p-value"},
    "source": {"zh": "估计来源", "en": "Source"},
    "own_elasticity": {"zh": "本组自身估计", "en": "Group's own estimate"},
    "group_estimate": {"zh": "本组估计", "en": "Own estimate"},
    "pooled_estimate": {"zh": "合并估计", "en": "Pooled estimate"},
    "error": {"zh": "误差", "en": "Error"},
    "elasticity_fe": {"zh": "弹性（客户固定效应）", "en": "Elasticity (customer effects)"},
    "elasticity_trends": {"zh": "弹性（固定效应 + 客户趋势）", "en": "Elasticity (effects + customer trends)"},
    "fitted_log_gp": {"zh": "拟合值 ln(毛利)", "en": "Fitted ln(gross profit)"},
    "fitted_gp": {"zh": "拟合毛利", "en": "Fitted gross profit"},
    "residual": {"zh": "残差", "en": "Residual"},
    "segment_one_year": {"zh": "该组仅一年数据", "en": "Group has one year of data"},
    "too_few_customers": {"zh": "该组客户过少", "en": "Too few customers in the group"},
    "elasticity_out_of_range": {"zh": "弹性不在 (0, 1) 内", "en": "Elasticity outside (0, 1)"},
    "expense_zero": {"zh": "销售费用为 0", "en": "Zero sales expense"},
    "gross_profit_not_positive": {"zh": "毛利不为正", "en": "Gross profit not positive"},
    "customer_too_few_years": {"zh": "客户可用年份不足", "en": "Customer has too few usable years"},
    "own_point": {"zh": "本客户当前点", "en": "Customer's own current point"},
    "no_expense_history": {"zh": "无销售费用记录", "en": "No sales-expense history"},
    "not_active_in_plan_year": {"zh": "计划基准年无记录", "en": "No row in the plan year"},
    "no_usable_point": {"zh": "基准年费用为 0 或毛利不为正", "en": "Zero spend or no profit in the plan year"},
    "active_not_planned": {"zh": "基准年有费用但未纳入计划", "en": "Spent on in the plan year but not planned"},
    "current_spend": {"zh": "当前销售费用", "en": "Current sales expense"},
    "current_gp": {"zh": "当前毛利", "en": "Current gross profit"},
    "response_level": {"zh": "响应水平 A", "en": "Response level A"},
    "spend_lower": {"zh": "费用下限", "en": "Lower bound"},
    "spend_upper": {"zh": "费用上限", "en": "Upper bound"},
    "planned_spend": {"zh": "计划销售费用", "en": "Planned sales expense"},
    "change": {"zh": "费用变化", "en": "Change in spend"},
    "expected_gp_current": {"zh": "当前方案预期毛利", "en": "Expected GP, current plan"},
    "expected_gp_planned": {"zh": "优化方案预期毛利", "en": "Expected GP, optimal plan"},
    "marginal_return": {"zh": "边际回报（最后一元费用带来的毛利）", "en": "Marginal return (GP of the last yuan)"},
    "bound": {"zh": "约束状态", "en": "Constraint"},
    "at_lower": {"zh": "处于下限", "en": "At its lower bound"},
    "at_upper": {"zh": "处于上限", "en": "At its upper bound"},
    "interior": {"zh": "边际回报相等", "en": "Equal marginal return"},
    "plan": {"zh": "方案", "en": "Plan"},
    "current": {"zh": "当前方案", "en": "Current plan"},
    "optimal": {"zh": "优化方案", "en": "Optimal plan"},
    "uniform": {"zh": "平均分配（一刀切）", "en": "Uniform (one size fits all)"},
    "estimated_optimum": {"zh": "按估计响应的优化方案", "en": "Optimum of the estimated response"},
    "true_optimum": {"zh": "按真实响应的优化方案", "en": "Optimum of the true response"},
    "spend": {"zh": "销售费用合计", "en": "Total sales expense"},
    "expected_gp": {"zh": "预期毛利", "en": "Expected gross profit"},
    "gp_low": {"zh": "预期毛利区间下限", "en": "Expected GP, interval low"},
    "gp_high": {"zh": "预期毛利区间上限", "en": "Expected GP, interval high"},
    "ratio_low": {"zh": "投入产出比区间下限", "en": "GP/expense, interval low"},
    "ratio_high": {"zh": "投入产出比区间上限", "en": "GP/expense, interval high"},
    "uplift": {"zh": "较当前方案增加的毛利", "en": "Gain over the current plan"},
    "uplift_low": {"zh": "增加毛利区间下限", "en": "Gain, interval low"},
    "uplift_high": {"zh": "增加毛利区间上限", "en": "Gain, interval high"},
    "uplift_pct": {"zh": "毛利增幅", "en": "Gain, %"},
    "customers_more": {"zh": "费用增加的客户数", "en": "Customers with more spend"},
    "customers_less": {"zh": "费用减少的客户数", "en": "Customers with less spend"},
    "spend_share": {"zh": "费用占比", "en": "Share of the budget"},
    "current_share": {"zh": "当前费用占比", "en": "Current share of spend"},
    "planned_share": {"zh": "计划费用占比", "en": "Planned share of spend"},
    "share_low": {"zh": "占比区间下限", "en": "Share, interval low"},
    "share_high": {"zh": "占比区间上限", "en": "Share, interval high"},
    "budget_multiple": {"zh": "预算倍数（相对当前）", "en": "Budget (x current)"},
    "budget": {"zh": "销售费用预算", "en": "Sales-expense budget"},
    "feasible": {"zh": "可行", "en": "Feasible"},
    "gp_after_expense": {"zh": "毛利减销售费用", "en": "Gross profit after sales expense"},
    "spend_change": {"zh": "费用变化率", "en": "Change in spend"},
    "gp_share_current": {"zh": "当前预期毛利占比", "en": "Share of expected GP, current"},
    "gp_share_planned": {"zh": "计划预期毛利占比", "en": "Share of expected GP, planned"},
    "direction": {"zh": "计划方向", "en": "Plan moves spend"},
    "thesis_direction": {"zh": "象限策略的方向", "en": "Direction of the quadrant strategy"},
    "agrees": {"zh": "与策略一致", "en": "Agrees"},
    "increase": {"zh": "增加", "en": "Up"},
    "decrease": {"zh": "减少", "en": "Down"},
    "hold": {"zh": "基本不变", "en": "About the same"},
    "true_gp": {"zh": "按真实响应的预期毛利", "en": "Expected GP under the true response"},
    "share_of_true_uplift": {"zh": "占真实最优增益的比例", "en": "Share of the true optimum's gain"},
    "check": {"zh": "检查项", "en": "Check"},
    "consequence": {"zh": "处理方式", "en": "What is done"},
    "applies": {"zh": "本次出现", "en": "Found here"},
    "expense_missing_or_negative": {"zh": "销售费用缺失或为负", "en": "Sales expense missing or negative"},
    "budget_below_minimum_spends": {"zh": "预算低于最低费用之和", "en": "Budget below the sum of minimum spends"},
    "budget_left_over": {"zh": "未能用完的预算（元）", "en": "Budget left unspent (yuan)"},
    "bootstrap_draws_clipped": {"zh": "被截断的自助抽样弹性", "en": "Bootstrap draws clipped"},
    "stops_with_error": {"zh": "报错停止，并指出问题行", "en": "Stops with an error naming the rows"},
    "left_out_of_fit": {"zh": "不进入估计（计入剔除表）", "en": "Left out of the fit (listed)"},
    "uses_pooled_estimate": {"zh": "改用全部行业的合并估计", "en": "Uses the pooled estimate"},
    "uses_segment_median": {"zh": "改用所在组的中位响应", "en": "Uses its group's median response"},
    "not_planned": {"zh": "不纳入计划（只计数）", "en": "Not planned (counted)"},
    "budget_not_spent": {"zh": "上限或封顶使预算用不完", "en": "Bounds or caps leave budget unspent"},
    "draw_clipped": {"zh": "截断到 (0, 1) 内", "en": "Clipped into (0, 1)"},
    "min_spend": {"zh": "每位客户最低费用", "en": "Minimum spend per customer"},
    "max_spend": {"zh": "每位客户最高费用", "en": "Maximum spend per customer"},
    "max_increase": {"zh": "费用最多为当前的倍数", "en": "At most this multiple of current spend"},
    "max_decrease": {"zh": "费用最少为当前除以此数", "en": "At least current spend divided by this"},
    "key_account_floor": {"zh": "重点客户费用不低于当前的倍数", "en": "Key accounts keep at least this multiple"},
    "caps": {"zh": "分组费用封顶（预算占比）", "en": "Caps per group (share of budget)"},
    "setting": {"zh": "设置", "en": "Setting"},
    "setting_value": {"zh": "取值", "en": "Value"},
    "no_truth": {"zh": "本案例没有生成数据的真实值。", "en": "No generator truth for this case."},
    "method": {"zh": "求解方法", "en": "Method"},
    "kkt": {"zh": "边际回报相等（KKT 闭式解）", "en": "Equal marginal returns (KKT, closed form)"},
    "scipy": {"zh": "scipy 数值优化", "en": "scipy optimiser"},
    "no_current_spend_left_out": {"zh": "当前无费用的 {n} 位客户未在对数坐标中显示",
                                  "en": "{n} customers without current spend are not on the log scale"},
    "io_trend_line": {"zh": "毛利/销售费用：{first_year} 年 {first:.2f} → {last_year} 年 {last:.2f}；逐年下降：{falls}",
                      "en": "Gross profit per yuan of sales expense: {first:.2f} in {first_year} -> "
                            "{last:.2f} in {last_year}; falls every year: {falls}"},
    "expense_growth_line": {"zh": "销售费用年均增长 {expense:.1%}，毛利年均增长 {gp:.1%}",
                            "en": "Sales expense grew {expense:.1%} a year, gross profit {gp:.1%}"},
    "plan_line": {"zh": "优化方案预期毛利 {gp:,.0f} 元，较当前方案 {uplift:+.1%}（{low:+.1%} 至 {high:+.1%}），"
                         "{p:.0%} 的抽样中优于当前方案；最后一元费用带来 {lam:.2f} 元毛利",
                  "en": "The optimal plan expects {gp:,.0f} yuan of gross profit, {uplift:+.1%} against the current "
                        "plan ({low:+.1%} to {high:+.1%}); better than the current plan in {p:.0%} of the draws; "
                        "the last yuan of budget brings {lam:.2f} yuan"},
    "truth_line": {"zh": "按真实响应评价：估计方案获得真实最优增益的 {share:.1%}；弹性区间覆盖真实值：{covered}/{n}",
                   "en": "Scored with the true response the estimated plan gains {share:.1%} of the true optimum's "
                         "gain; intervals covering the true elasticity: {covered}/{n}"},
    "agreement_line": {"zh": "计划方向与象限策略一致的象限：{agree}/{n}",
                       "en": "Quadrants where the plan moves spend the way the strategy says: {agree}/{n}"},
    "budget_line": {"zh": "边际回报等于 1 的预算约为当前的 {multiple:.2f} 倍：超过它，多花的费用带来的毛利少于费用本身",
                    "en": "The last yuan returns one yuan at about {multiple:.2f} x the current budget: beyond it, "
                          "spend brings less gross profit than it costs"},
    "yes": {"zh": "是", "en": "yes"},
    "none": {"zh": "无", "en": "none"},
    "no": {"zh": "否", "en": "no"},
    # --- end allocation -------------------------------------------------------------------
}

#: Report pages (issue 11): table notes, navigation, the summary page. Kept apart from the
#: analysis blocks above; merged into :data:`LABELS` below (a key may not be defined twice).
_REPORT_LABELS: dict[str, dict[str, str]] = {
    "table_cut_note": {"zh": "仅显示前 {shown:,} 行，共 {rows:,} 行；完整表格见 {file} 及工作簿 tables/tables.xlsx。",
                       "en": "The first {shown:,} of {rows:,} rows; the full table is in {file} and in the "
                             "workbook tables/tables.xlsx."},
    "table_empty": {"zh": "（无记录）", "en": "(none)"},
    "nav_periods": {"zh": "全部期间", "en": "All periods"},
    "nav_index": {"zh": "本期目录", "en": "Contents"},
    "nav_summary": {"zh": "管理摘要", "en": "Summary"},
    "nav_workbook": {"zh": "表格工作簿", "en": "Workbook"},
    "nb_00_data_overview": {"zh": "数据概览", "en": "Data overview"},
    "nb_01_customer_value": {"zh": "客户价值", "en": "Customer value"},
    "nb_02_segmentation": {"zh": "客户细分", "en": "Segmentation"},
    "nb_03_satisfaction_loyalty": {"zh": "满意度与忠诚度", "en": "Satisfaction and loyalty"},
    "nb_04_lifecycle_churn": {"zh": "生命周期与流失", "en": "Lifecycle and churn"},
    "nb_05_resource_allocation": {"zh": "销售资源配置", "en": "Sales resource allocation"},
    "nb_06_funnel": {"zh": "销售漏斗", "en": "Sales funnel"},
    "summary_blurb": {"zh": "关键指标、主要图表与行动清单", "en": "key figures, main charts and action lists"},
    "notebook_failed_short": {"zh": "（本节未能完成，见说明）", "en": "(did not finish; see the note)"},
    "notebook_failed_note": {"zh": "本报告未能完成：在一个单元格中出错（{error}）。"
                                   "出错之后的章节缺失；其余报告不受影响。"
                                   "详细信息见同名的 .ipynb 文件。",
                             "en": "This report did not finish: a cell failed ({error}). The sections after it are "
                                   "missing; the other reports are not affected. The .ipynb file of the same name "
                                   "has the details."},
    "analysis_date_line": {"zh": "分析截止日：{date}", "en": "Analysis date: {date}"},
    "no_periods": {"zh": "尚无完成的报告期间。", "en": "No period has been rendered yet."},
    "failed_renders": {"zh": "未完成的渲染（供检查）", "en": "Renders that failed (kept for inspection)"},
    # --- the summary page ---
    "sum_key_figures": {"zh": "关键指标", "en": "Key figures"},
    "sum_actions": {"zh": "行动清单", "en": "Action lists"},
    "sum_charts": {"zh": "主要图表", "en": "Main charts"},
    # the summary's chart captions (chart_<figure name>)
    "chart_period_activity": {"zh": "各期销售额与购买客户数", "en": "Revenue and buying customers per period"},
    "chart_pareto_lorenz": {"zh": "客户价值集中度（帕累托与洛伦兹曲线）",
                            "en": "How concentrated customer value is (Pareto and Lorenz curve)"},
    "chart_value_matrix": {"zh": "客户价值矩阵：当前价值 × 潜在价值",
                           "en": "Value matrix: current value x potential value"},
    "chart_stage_value_curve": {"zh": "生命周期各阶段的客户价值", "en": "Customer value by lifecycle stage"},
    "chart_ipma": {"zh": "重要性-绩效分析：先改进哪些驱动因素",
                   "en": "Importance-performance map: which drivers to improve first"},
    "chart_plan_gross_profit": {"zh": "各费用配置方案的预期毛利", "en": "Expected gross profit of the budget plans"},
    "chart_funnel": {"zh": "销售漏斗各阶段的商机数与转化率", "en": "Sales funnel: deals and conversion per stage"},
    "summary_failed": {"zh": "注意：以下报告未能完成，相关指标与清单缺失：{names}。",
                       "en": "Note: these reports did not finish, so their figures and lists are missing: {names}."},
    "kf_change": {"zh": "较上期 {change}", "en": "{change} vs previous period"},
    "kf_revenue": {"zh": "{period} 期销售额", "en": "Revenue in {period}"},
    "kf_customers": {"zh": "本期购买客户数", "en": "Customers buying in the period"},
    "kf_orders": {"zh": "本期订单数", "en": "Orders in the period"},
    "kf_new_customers": {"zh": "本期新客户数", "en": "New customers in the period"},
    "kf_a_customers": {"zh": "A 类客户占客户数", "en": "A customers, share of customers"},
    "kf_a_value": {"zh": "A 类客户贡献的价值占比", "en": "A customers, share of value"},
    "kf_clv_total": {"zh": "未来 12 个月客户终生价值合计", "en": "Customer lifetime value, next 12 months"},
    "kf_p_alive": {"zh": "客户平均活跃概率", "en": "Mean probability a customer is still active"},
    "kf_share_churned": {"zh": "已流失客户占比", "en": "Share of customers churned"},
    "kf_retention": {"zh": "客户保持率", "en": "Retention rate"},
    "kf_csi": {"zh": "顾客满意度指数（0-100）", "en": "Satisfaction index (0-100)"},
    "kf_nps": {"zh": "净推荐值 NPS", "en": "Net Promoter Score"},
    "kf_uplift": {"zh": "优化费用配置可增加的毛利", "en": "Gross profit gained by the optimal budget split"},
    "kf_deals_won": {"zh": "本期赢单数", "en": "Deals won in the period"},
    "kf_win_rate": {"zh": "已结束商机赢单率", "en": "Win rate of closed deals"},
    "kf_pipeline": {"zh": "在途商机加权价值", "en": "Weighted value of the open pipeline"},
    "kf_acq_ret": {"zh": "获客成本 ÷ 保留成本", "en": "Acquisition cost ÷ retention cost"},
    "list_key_accounts": {"zh": "重点客户", "en": "Key accounts"},
    "list_key_accounts_why": {"zh": "按层次分析法综合评分排名前列的客户（"
                                    "交易规模、频率、客户规模、成长性与战略匹配度）；已流失的重点客户列入下方流失风险名单。",
                              "en": "The customers ranked highest by the AHP-weighted score (transaction size, "
                                    "frequency, customer size, growth and strategic fit); key accounts that have "
                                    "churned are in the risk list below."},
    "list_at_risk": {"zh": "有流失风险的高价值客户", "en": "Valuable customers at risk of leaving"},
    "list_at_risk_why": {"zh": "A 类客户中处于退化期或已流失、或仍活跃概率低于 50% 的客户，按价值排序。",
                         "en": "A-class customers in decline or churned, or with a probability below 50 % of "
                               "still being active, by value."},
    "list_dissatisfied": {"zh": "高价值低满意客户", "en": "Valuable but dissatisfied customers"},
    "list_dissatisfied_why": {"zh": "A 类客户中满意度低于平均水平者，按差距排序。",
                              "en": "A-class customers whose satisfaction lies below the average, by the gap."},
    "list_reallocation": {"zh": "销售费用调整", "en": "Sales-budget reallocation"},
    "list_reallocation_why": {"zh": "最优费用配置中增加与减少最多的客户（同一预算下使预期毛利最大）。",
                              "en": "The customers whose spend the optimal plan raises and cuts most (the same "
                                    "budget, the largest expected gross profit)."},
    "list_funnel": {"zh": "销售漏斗", "en": "Sales funnel"},
    "act_key": {"zh": "保持投入：专人负责，制定年度客户计划",
                "en": "Keep investing: a dedicated account manager and an annual account plan"},
    "act_key_declining": {"zh": "重点客户正在退化：本月安排高层拜访",
                          "en": "Key account in decline: a senior visit this month"},
    "act_risk": {"zh": "客户经理回访：了解原因，检查服务与价格",
                 "en": "Account manager calls: find the reason, review service and price"},
    "act_winback": {"zh": "挽回：客户经理联系并提出回归方案",
                    "en": "Win back: the account manager calls with an offer"},
    "act_dissatisfied": {"zh": "服务补救：回访并处理投诉", "en": "Service recovery: visit and resolve the complaints"},
    "act_raise": {"zh": "增加销售费用 {amount}", "en": "Raise sales expense by {amount}"},
    "act_cut": {"zh": "减少销售费用 {amount}", "en": "Cut sales expense by {amount}"},
    "why_no_value": {"zh": "本报告未包含客户价值分析，无法列出重点客户。",
                     "en": "The report has no customer-value analysis, so no key accounts."},
    "why_no_risk": {"zh": "本报告未包含客户价值与生命周期分析，无法识别流失风险。",
                    "en": "The report has no customer-value and lifecycle analysis, so no risk of leaving."},
    "none_at_risk": {"zh": "本期没有处于流失风险中的 A 类客户。",
                     "en": "No A-class customer is at risk of leaving this period."},
    "why_no_survey": {"zh": "本案例没有顾客满意度调查，无法列出低满意客户。",
                      "en": "This case has no satisfaction survey, so dissatisfied customers cannot be shown."},
    "why_survey_unlinked": {"zh": "问卷未关联客户编号，无法将满意度与客户价值对应。",
                            "en": "The survey is not linked to customer ids, so satisfaction cannot be set "
                                  "against value."},
    "none_dissatisfied": {"zh": "没有满意度低于平均水平的 A 类客户。",
                          "en": "No A-class customer is below the average satisfaction."},
    "why_no_expense": {"zh": "本案例没有按客户记录的销售费用，无法计算费用调整方案。",
                       "en": "This case has no sales expense per customer, so no budget reallocation can be computed."},
    "why_no_funnel": {"zh": "本案例没有商机（销售漏斗）数据。",
                      "en": "This case has no opportunities (sales pipeline) data."},
    "fn_leads": {"zh": "线索数", "en": "Leads"},
    "fn_won": {"zh": "赢单数", "en": "Deals won"},
    "fn_open": {"zh": "在途商机", "en": "Open deals"},
    "fn_win_rate": {"zh": "赢单率（已结束商机）", "en": "Win rate (closed deals)"},
    "fn_p_win": {"zh": "新线索赢单概率", "en": "Chance a new lead is won"},
    "fn_pipeline": {"zh": "在途商机加权价值", "en": "Weighted pipeline"},
    "fn_acquisition": {"zh": "获客成本（每位新客户）", "en": "Acquisition cost per customer won"},
    "fn_retention": {"zh": "保留成本（每位老客户每年）", "en": "Retention cost per customer and year"},
    # --- table headers and codes the analysis modules leave in English ---
    "source_transactions": {"zh": "交易明细", "en": "Transactions"},
    "source_customers": {"zh": "客户档案", "en": "Customer master"},
    "source_survey": {"zh": "满意度问卷", "en": "Survey"},
    "source_survey_answers": {"zh": "问卷答案", "en": "Survey answers"},
    "source_stock": {"zh": "库存", "en": "Stock"},
    "source_opportunities": {"zh": "商机", "en": "Opportunities"},
    "source_sales_expense": {"zh": "销售费用", "en": "Sales expense"},
    "source_truth_segments": {"zh": "真实客户类型（生成数据）", "en": "True segments (generated)"},
    "source_truth_funnel_conversion": {"zh": "真实转化概率（生成数据）", "en": "True conversion (generated)"},
    "source_truth_funnel_industries": {"zh": "各行业真实赢单概率（生成数据）",
                                       "en": "True win chance by industry (generated)"},
    "source_truth_funnel_stages": {"zh": "真实阶段停留时间（生成数据）", "en": "True days in stage (generated)"},
    "source_truth_response": {"zh": "真实费用响应（生成数据）", "en": "True expense response (generated)"},
    "source_truth_customer_years": {"zh": "真实客户年度轨迹（生成数据）", "en": "True customer years (generated)"},
    "hint": {"zh": "提示", "en": "Hint"},
    "next_step": {"zh": "下一步", "en": "Next step"},
    "recent_revenue": {"zh": "近 12 个月销售额", "en": "Revenue, last 12 months"},
    "recent_gross_profit": {"zh": "近 12 个月毛利", "en": "Gross profit, last 12 months"},
    "join": {"zh": "匹配", "en": "Join"},
    "keys": {"zh": "编号数", "en": "Ids"},
    "matched": {"zh": "匹配数", "en": "Matched"},
    "match_rate": {"zh": "匹配率", "en": "Match rate"},
    "unmatched_examples": {"zh": "未匹配示例", "en": "Unmatched examples"},
    "other_side_examples": {"zh": "另一表示例", "en": "Examples on the other side"},
    "max": {"zh": "最大值", "en": "Maximum"},
    "min": {"zh": "最小值", "en": "Minimum"},
    "missing": {"zh": "缺失数", "en": "Missing"},
    "sd": {"zh": "标准差", "en": "SD"},
    "revenue_per_customer": {"zh": "客均销售额", "en": "Revenue per customer"},
    "parameter": {"zh": "参数", "en": "Parameter"},
    "at_bound": {"zh": "位于边界", "en": "At a bound"},
    # columns of result tables named by what they hold (the effects of a PLS model, CFA
    # loadings, the holdout tracking, quarantined rows)
    "direct_effect": {"zh": "直接效应", "en": "Direct effect"},
    "indirect_effect": {"zh": "间接效应", "en": "Indirect effect"},
    "total_effect": {"zh": "总效应", "en": "Total effect"},
    "std_loading": {"zh": "标准化载荷", "en": "Standardised loading"},
    "calibration": {"zh": "属于校准期", "en": "In calibration"},
    "end": {"zh": "期末", "en": "Period end"},
    "row": {"zh": "行号", "en": "Row"},
    "values": {"zh": "原始值", "en": "Raw values"},
    "lower_95": {"zh": "95% 区间下限", "en": "95 % lower"},
    "upper_95": {"zh": "95% 区间上限", "en": "95 % upper"},
    "asinh": {"zh": "反双曲正弦 asinh", "en": "asinh"},
    "log1p": {"zh": "对数 log(1+x)", "en": "log(1+x)"},
    "aic": {"zh": "AIC", "en": "AIC"},
    "bic": {"zh": "BIC", "en": "BIC"},
    "block": {"zh": "区块", "en": "Block"},
    "cfi": {"zh": "CFI", "en": "CFI"},
    "chi2": {"zh": "卡方 χ²", "en": "χ²"},
    "fisher": {"zh": "Fisher 精确", "en": "Fisher's exact"},
    "class": {"zh": "类别", "en": "Class"},
    "detail": {"zh": "详情", "en": "Detail"},
    "df": {"zh": "自由度", "en": "df"},
    "df1": {"zh": "自由度 1", "en": "df1"},
    "df2": {"zh": "自由度 2", "en": "df2"},
    "gap": {"zh": "低于平均的差距", "en": "Gap to the average"},
    "gfi": {"zh": "GFI", "en": "GFI"},
    "kmo": {"zh": "KMO", "en": "KMO"},
    "mode": {"zh": "测量模式", "en": "Mode"},
    "model": {"zh": "模型", "en": "Model"},
    "original": {"zh": "原样本估计", "en": "Original estimate"},
    "priority": {"zh": "优先级", "en": "Priority"},
    "rmsea": {"zh": "RMSEA", "en": "RMSEA"},
    "srmr": {"zh": "SRMR", "en": "SRMR"},
    "rss": {"zh": "残差平方和", "en": "Residual sum of squares"},
    "satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "statistic": {"zh": "统计量", "en": "Statistic"},
    "step": {"zh": "步骤", "en": "Step"},
    "target": {"zh": "结果变量", "en": "Target"},
    "test": {"zh": "检验", "en": "Test"},
    "tli": {"zh": "TLI", "en": "TLI"},
    "adj_r2": {"zh": "调整 R²", "en": "Adjusted R²"},
    "r2_adj": {"zh": "调整 R²", "en": "Adjusted R²"},
    "bartlett_chi2": {"zh": "Bartlett 球形检验 χ²", "en": "Bartlett χ²"},
    "bartlett_df": {"zh": "Bartlett 自由度", "en": "Bartlett df"},
    "bartlett_p": {"zh": "Bartlett p 值", "en": "Bartlett p"},
    "bca_lower": {"zh": "BCa 区间下限", "en": "BCa lower"},
    "bca_upper": {"zh": "BCa 区间上限", "en": "BCa upper"},
    "below_0_85": {"zh": "低于 0.85", "en": "Below 0.85"},
    "below_0_90": {"zh": "低于 0.90", "en": "Below 0.90"},
    "boot_mean": {"zh": "Bootstrap 均值", "en": "Bootstrap mean"},
    "chi2_df": {"zh": "χ²/df", "en": "χ²/df"},
    "construct_1": {"zh": "潜变量 1", "en": "Construct 1"},
    "construct_2": {"zh": "潜变量 2", "en": "Construct 2"},
    "cronbach_alpha_std": {"zh": "标准化 Cronbach's α", "en": "Standardised alpha"},
    "gain_if_100": {"zh": "表现达 100 时的增益", "en": "Gain if performance were 100"},
    "loyalty_cut": {"zh": "忠诚度分界", "en": "Loyalty cut"},
    "satisfaction_cut": {"zh": "满意度分界", "en": "Satisfaction cut"},
    "missing_answers": {"zh": "有缺失答案", "en": "Missing answers"},
    "n_items": {"zh": "题项数", "en": "Items"},
    "n_missing": {"zh": "缺失数", "en": "Missing"},
    "n_params": {"zh": "参数个数", "en": "Parameters"},
    "n_predictors": {"zh": "自变量个数", "en": "Predictors"},
    "n_respondents": {"zh": "受访人数", "en": "Respondents"},
    "non_numeric_answer": {"zh": "答案非数字", "en": "Answer not a number"},
    "not_on_scale_step": {"zh": "答案不在量表刻度上", "en": "Answer between scale points"},
    "out_of_scale": {"zh": "答案超出量表范围", "en": "Answer outside the scale"},
    "p_value": {"zh": "p 值", "en": "p-value"},
    "piecewise_slope_change_nominal": {"zh": "分段斜率变化（名义 p 值）", "en": "Piecewise slope change (nominal)"},
    "quadratic_term": {"zh": "二次项", "en": "Quadratic term"},
    "respondent_id": {"zh": "受访者编号", "en": "Respondent"},
    "reverse_coded": {"zh": "反向计分", "en": "Reverse coded"},
    "rows_kept": {"zh": "保留行数", "en": "Rows kept"},
    "rows_quarantined": {"zh": "隔离行数", "en": "Rows quarantined"},
    "sqrt_ave": {"zh": "AVE 平方根", "en": "√AVE"},
    "straight_lining": {"zh": "所有题项答案相同", "en": "Same answer to every item"},
    "too_many_missing": {"zh": "过半题项未作答", "en": "More than half unanswered"},
    "same answer to all items": {"zh": "所有题项答案相同", "en": "same answer to all items"},
    "listwise deletion": {"zh": "成列删除", "en": "listwise deletion"},
    "section_skipped": {"zh": "本节无法基于本期数据计算，已跳过。原因：{reason}",
                        "en": "This section cannot be computed on these data and is left out. Reason: {reason}"},
    "section_needs": {"zh": "本节依赖的章节（{sections}）未能计算",
                      "en": "it needs {sections}, which could not be computed"},
    # --- the notebooks' one-line messages ---
    "msg_no_truth": {"zh": "本案例不是生成数据，没有可对照的真实值。",
                     "en": "The data of this case were not generated, so there is no known truth to compare with."},
    "engine_needs_rows": {"zh": "{what}需要逐行的交易数据；本案例由 {engine} 引擎在引擎内清洗和汇总交易，"
                                "只把客户层面的汇总表交给报告，因此本节未计算（可用 engine: pandas 在抽样数据上查看）",
                          "en": "{what} needs the transactions row by row; this case reads, cleans and aggregates "
                                "them in the {engine} engine and hands the report customer-level tables only, so "
                                "it is left out (render a sample with engine: pandas to see it)"},
    "msg_no_transactions": {"zh": "本案例没有交易数据。", "en": "This case has no transactions."},
    "msg_no_quarantine": {"zh": "没有被隔离的行。", "en": "No row was quarantined."},
    "msg_no_joins": {"zh": "本案例各表之间无需匹配。", "en": "This case has no joins between tables."},
    "msg_rows_after_period": {"zh": "保留的交易中有 {after:,} 行晚于分析截止日 {date}，留待以后各期；"
                                    "以下分析使用 {analysed:,} 行。",
                              "en": "Of the kept transactions, {after:,} are dated after the analysis date {date} and "
                                    "wait for later periods; the analyses use {analysed:,}."},
    "msg_join_problem": {"zh": "{join}：{keys} 个编号中只有 {matched} 个匹配，例如 {left} 对 {right}。{hint}",
                         "en": "{join}: only {matched} of {keys} ids match, e.g. {left} against {right}. {hint}"},
    "msg_previous_saved": {"zh": "上期（{period}）：使用上期报告保存的客户群归属",
                           "en": "previous period {period}: the assignments its report saved"},
    "msg_previous_refit": {"zh": "上期（{period}）：用本期模型对上期期末的客户特征进行归类",
                           "en": "previous period {period}: this model on last period's features"},
    "msg_previous_none": {"zh": "上期（{period}）：数据中没有上期", "en": "previous period {period}: not in the data"},
    "msg_no_survey": {"zh": "本案例没有满意度问卷。", "en": "This case has no survey."},
    "msg_no_master": {"zh": "本案例没有客户档案表。", "en": "This case has no customer master table."},
    "msg_value_basis": {"zh": "ABC 分类与价值矩阵按{basis}计算。",
                        "en": "ABC classes and the value matrix use {basis}."},
    "msg_no_industry": {"zh": "本案例没有客户行业信息：价值矩阵在全体客户中划分，行业增长率不作为潜力指标。",
                        "en": "This case has no industry per customer: the matrix is split over all customers, "
                              "and industry growth is not a potential indicator."},
    "msg_ahp": {"zh": "层次分析法：λmax = {lam:.3f}，CI = {ci:.4f}，CR = {cr:.4f}；"
                      "前 {top_n} 名中有 {overlap} 位与熵权法相同。",
                "en": "AHP: λmax = {lam:.3f}, CI = {ci:.4f}, CR = {cr:.4f}; {overlap} of the top {top_n} are the "
                      "same under entropy weights."},
    "msg_no_customer_type": {"zh": "本案例没有客户类型，客户分析表从略。",
                             "en": "This case has no customer type: the account analysis table is left out."},
    "msg_product_ratios": {"zh": "{year} 年商品比率（当年销售额与库存）。",
                           "en": "Product ratios for {year} (that year's sales "
                                                                             "and stock)."},
    "msg_no_stock": {"zh": "分析年度没有库存数据：周转率、交叉比率与贡献比率为空。",
                     "en": "No stock table for the analysis year: turnover, cross and contribution ratios stay empty."},
    "msg_spend_corr": {"zh": "重复购买次数与客单价的相关系数：{corr:.3f}（模型假设约为 0；CDNOW 为 0.11）。",
                       "en": "Correlation of repeat frequency and mean spend: {corr:.3f} (the model assumes about 0; "
                             "CDNOW: 0.11)."},
    "msg_bgnbd_unreliable": {"zh": "BG/NBD 模型对验证期重复购买总数的预测与实际相差 {error:+.0f}%（超过 ±25%）："
                                   "在这些数据上，该模型的存活概率与下文的客户终生价值不宜作为决策依据；"
                                   "上文教材公式的客户终生价值不依赖该模型。",
                             "en": "The BG/NBD forecast of the holdout's repeat purchases misses the actual total by "
                                   "{error:+.0f} % (more than ±25 %): on these data the model's probability of being "
                                   "alive and the CLV below are no basis for decisions; the textbook CLV above does "
                                   "not depend on the model."},
    "kf_bgnbd_unreliable": {"zh": "BG/NBD 验证期误差 {error:+.0f}%：不可靠",
                            "en": "BG/NBD holdout error {error:+.0f} %: not reliable"},
    "msg_gamma_bound": {"zh": "因此参数 {params} 不宜解释（表中已标出，未写入 metrics.json）；"
                              "预期客单价仍可使用，接近各客户自身的均值。",
                        "en": "So {params} are not to be interpreted (marked in the table, left out of metrics.json); "
                              "the expected spend stays usable, close to each customer's own mean."},
    "msg_no_groups": {"zh": "本案例未要求按组细分。", "en": "The case does not ask for segments within groups."},
    "msg_no_recommend": {"zh": "模型设定中没有推荐意愿题项，不计算 NPS。",
                         "en": "The spec maps no recommend item, so no NPS."},
    "msg_survey_unlinked": {"zh": "问卷未关联客户编号，没有分群满意度表。",
                            "en": "The survey is not linked to customers; no segment tables."},
    "msg_value_peak": {"zh": "客户累计价值（至今平均净销售额）在{peak}达到峰值：符合教材的“上升-峰值-下降”形态。",
                       "en": "Value built up per customer (mean net revenue so far) peaks in {peak}: the textbook's "
                             "rise-peak-fall shape."},
    "msg_value_peak_other": {"zh": "客户累计价值（至今平均净销售额）在{peak}达到峰值：不是教材的“上升-峰值-下降”形态，"
                                   "应将各阶段视为本客户群自身的规律。",
                             "en": "Value built up per customer (mean net revenue so far) peaks in {peak}: not the "
                                   "textbook's rise-peak-fall shape; read the stages as this customer base's "
                                   "own pattern."},
    "msg_stage_agreement": {"zh": "{share:.1%} 的客户处于其真实类型对应的阶段。",
                            "en": "{share:.1%} of customers are in the stage their true segment implies."},
    "msg_no_churn_reasons": {"zh": "本案例没有记录流失原因（客户档案中没有 churn_reason 列）。",
                             "en": "This case records no churn reasons (no 'churn_reason' column in the customer "
                                   "master)."},
    "msg_classified": {"zh": "已分类 {n:,} 位客户，其中重点客户 {keys} 位。",
                       "en": "{n:,} customers classified; {keys} key accounts."},
}
_twice = sorted(set(_REPORT_LABELS) & set(LABELS))
if _twice:  # pragma: no cover - caught by the test suite on import
    raise RuntimeError(f"labels defined twice: {_twice}")
LABELS.update(_REPORT_LABELS)

_CODE_LABELS = {
    # measurement mode of a PLS block (satisfaction spec, model_spec table's ``mode``)
    "mode_A": {"zh": "A 模式（反映型）", "en": "Mode A (reflective)"},
    "mode_B": {"zh": "B 模式（形成型）", "en": "Mode B (formative)"},
    # lifecycle notebook: the valuable customers a year ago by spend
    "top20": {"zh": "消费额前 20%", "en": "Top 20 % by spend"},
    "rest": {"zh": "其余客户", "en": "The rest"},
    # survey cleaning log, ``detail`` (workbench.satisfaction.clean_survey; two of its
    # sentences, "same answer to all items" and "listwise deletion", are keys above)
    "detail_scale": {"zh": "量表 {lo}-{hi}", "en": "scale {lo}-{hi}"},
    "detail_scale_points": {"zh": "允许的答案：{points}", "en": "answers {points}"},
    "detail_continuous_scale": {"zh": "连续量表：不检查", "en": "continuous scale: not checked"},
    "detail_not_checked": {"zh": "未检查", "en": "not checked"},
    "detail_too_many_missing": {"zh": "{n} 个题项中超过 {share} 未作答",
                                "en": "more than {share} of {n} items unanswered"},
    "detail_mean_replacement": {"zh": "保留：均值替换", "en": "kept: mean replacement"},
    # segmentation transforms, ``reason`` (workbench.segmentation.SegmentationPreprocessor)
    "reason_linear_days": {"zh": "天数，保持线性", "en": "duration in days, kept linear"},
    "reason_skewness": {"zh": "偏度 {skew} {op} {limit}", "en": "skewness {skew} {op} {limit}"},
    "reason_signed": {"zh": "有正负号，偏度 {skew}，超额峰度 {kurt}",
                      "en": "signed, skewness {skew}, excess kurtosis {kurt}"},
    "reason_user": {"zh": "由用户指定", "en": "set by the user"},
    # lifecycle stage rules (workbench.lifecycle.stage_rules), their parts and period units
    "stage_rule_churned": {"zh": "最近一次购买距今超过 {h} 天（流失期限{source}）",
                           "en": "recency > {h} days (churn horizon{source})"},
    "stage_rule_exploration": {"zh": "有购买的{per}少于 2 个（仅一个购买期，尚在试探）",
                               "en": "fewer than 2 active {per}s (one purchase period: still trying)"},
    "stage_rule_decline": {"zh": "消费下降：标准化斜率 <= -{tt}/{per} 且 R2 >= {r2}{pv}",
                           "en": "falling spend: normalised slope <= -{tt} per {per} and R2 >= {r2}{pv}"},
    "stage_rule_formation": {"zh": "消费上升（标准化斜率 >= {tt}，R2 >= {r2}{pv}）或首次购买以来不足 {mps} 个{per}",
                             "en": "rising spend (normalised slope >= {tt}, R2 >= {r2}{pv}) or fewer than {mps} "
                                   "{per}s since the first purchase"},
    "stage_rule_stability": {"zh": "其余：关系已持续 {mps} 个{per}以上，无明显趋势",
                             "en": "the rest: {mps}+ {per}s of relationship, no clear trend"},
    "horizon_by_case": {"zh": "，由案例设定", "en": ", set by the case"},
    "horizon_by_quantile": {"zh": "：购买间隔 {q} 分位数", "en": ": {q} quantile of inter-purchase times"},
    "horizon_by_quantile_weighted": {"zh": "：各客户等权的购买间隔 {q} 分位数",
                                     "en": ": {q} quantile of inter-purchase times, customers weighted equally"},
    "horizon_or_p_alive": {"zh": "或 BG/NBD 存活概率 P(alive) < {p}", "en": "or BG/NBD P(alive) < {p}"},
    "unit_week": {"zh": "周", "en": "week"},
    "unit_month": {"zh": "月", "en": "month"},
    "unit_quarter": {"zh": "季度", "en": "quarter"},
    "unit_year": {"zh": "年", "en": "year"},
    # segmentation quality per industry, ``quality`` (workbench.segmentation.CustomerSegmenter)
    "quality_clear": {"zh": "k={k} 时聚类清晰：轮廓系数 {silhouette}，自助法 ARI {ari}",
                      "en": "clear segmentation at k={k}: silhouette {silhouette}, bootstrap ARI {ari}"},
    "quality_clear_no_bootstrap": {"zh": "k={k} 时聚类清晰：轮廓系数 {silhouette}",
                                   "en": "clear segmentation at k={k}: silhouette {silhouette}"},
    "quality_weak": {"zh": "k={k} 时聚类较弱：{problems}；各客户群区分不明显或不可复现，应视为对连续分布的划分，"
                           "而不是截然不同的客户类型",
                     "en": "weak segmentation at k={k}: {problems}; the segments are not well separated or not "
                           "reproducible, read them as a partition of a continuum rather than distinct customer types"},
    "quality_low_gain": {"zh": "轮廓系数仅比单一正态分布（{null}）高 {gain}（至少需 +{needed}）",
                         "en": "silhouette only {gain} above a single Gaussian's ({null}; needed +{needed})"},
    "quality_unstable": {"zh": "自助法 ARI {ari} < {needed}", "en": "bootstrap ARI {ari} < {needed}"},
    # the recommended k and why (workbench.segmentation, recommendation_["reason"])
    "k_best_stable": {"zh": "k={k}：在稳定的 k（自助法 ARI ≥ {needed}：{ks}）中轮廓系数最高（{silhouette}）",
                      "en": "k={k}: highest silhouette ({silhouette}) among the stable k (bootstrap ARI >= {needed}: "
                            "{ks})"},
    "k_best": {"zh": "k={k}：轮廓系数最高（{silhouette}）", "en": "k={k}: highest silhouette ({silhouette})"},
    "k_stability_not_computed": {"zh": "未计算稳定性", "en": "stability not computed"},
    "k_none_stable": {"zh": "没有稳定的 k（所有 k 的自助法 ARI < {needed}）",
                      "en": "no k is stable (bootstrap ARI < {needed} for all)"},
    "k_elbow": {"zh": "组内平方和的肘部在 k={k}", "en": "elbow of inertia at k={k}"},
    "k_ch_highest": {"zh": "CH 指数在 k={k} 时最高", "en": "Calinski-Harabasz highest at k={k}"},
    "k_db_lowest": {"zh": "DB 指数在 k={k} 时最低", "en": "Davies-Bouldin lowest at k={k}"},
    "k_set_by_user": {"zh": "k={k} 由案例文件指定", "en": "k={k} set by the user (case file)"},
    "k_criteria_recommend": {"zh": "各准则推荐 {recommended}：{reason}",
                             "en": "the criteria recommend {recommended}: {reason}"},
    # join match rates (workbench.quality.join_match_rates): ``join`` and ``hint``
    "join_pair": {"zh": "{left} → {right}", "en": "{left} → {right}"},
    "hint_leading_zeros": {"zh": "编号的前导零不一致（如 '1' 与 '00001'）：Excel 可能把文本编号转成了数字；"
                                 "请将编号列设为文本格式，或导出为 CSV",
                           "en": "ids differ in leading zeros (e.g. '1' vs '00001'): Excel may have turned "
                                 "text ids into numbers; format the id column as text, or export it as CSV"},
    "hint_case_blanks": {"zh": "编号的大小写或内部空格不一致",
                         "en": "ids differ in upper/lower case or blanks inside them"},
    "hint_few_shared": {"zh": "两个文件共有的编号很少：请检查两者是否使用同一套客户编号",
                        "en": "the two files share few ids: check that both use the same customer ids"},
}
_twice = sorted(set(_CODE_LABELS) & set(LABELS))
if _twice:  # pragma: no cover - caught by the test suite on import
    raise RuntimeError(f"labels defined twice: {_twice}")
LABELS.update(_CODE_LABELS)

#: What to do about each reason code of the data checks (:func:`workbench.quality.next_step`);
#: a ``<column>_<reason>`` code is looked up by its suffix.
_NEXT_STEP_LABELS = {
    "next_step_blank_row": {"zh": "空行或全部为空的行，未丢失数据",
                            "en": "empty lines or rows of empty cells; nothing is lost"},
    "next_step_customer_id_missing": {"zh": "补全客户编号，或检查 columns.customer_id 的映射",
                                      "en": "fill in the customer id, or check which column 'columns.customer_id' "
                                            "maps"},
    "next_step_customer_id_duplicate": {"zh": "客户表每个客户只保留一行（合并重复行）",
                                        "en": "keep one row per customer in the customer file (merge the rows)"},
    "next_step_respondent_id_missing": {"zh": "补全答卷编号，或写 respondent_id: '@row' 按行编号",
                                        "en": "fill in the respondent id, or write respondent_id: '@row' to number "
                                              "the rows"},
    "next_step_respondent_id_duplicate": {"zh": "每份答卷一行：删除重复答卷或给予不同编号",
                                          "en": "one row per respondent: remove repeated answers or give them their "
                                                "own ids"},
    "next_step_date_missing": {"zh": "补全日期",
                               "en": "fill in the date"},
    "next_step_date_unparseable": {"zh": "用 date_format 指定日期格式，例如 '%d/%m/%Y'",
                                   "en": "give the date format with the key 'date_format', e.g. date_format: "
                                         "'%d/%m/%Y'"},
    "next_step_first_contact_unparseable": {"zh": "用 date_format 指定日期格式",
                                            "en": "give the date format with the key 'date_format'"},
    "next_step_amount_missing": {"zh": "补全金额；没有金额的行无法计入",
                                 "en": "fill in the amount; a row without one cannot be counted"},
    "next_step_amount_not_numeric": {"zh": "金额应为数字（可带货币符号、千分位和“万”，不可用小数逗号如 12,34）",
                                     "en": "write amounts as numbers (currency marks, thousands separators and 万 are "
                                           "fine; a decimal comma such as '12,34' is not)"},
    "next_step_amount_not_finite": {"zh": "把无穷大的金额改为实际金额",
                                    "en": "replace the infinite amount by the real one"},
    "next_step_not_numeric": {"zh": "请填写数字，或留空",
                              "en": "write the values as numbers, or leave the cell empty"},
    "next_step_not_finite": {"zh": "替换无穷大的数值",
                             "en": "replace the infinite value"},
    "next_step_out_of_range": {"zh": "把数值改到允许范围内（见 README 数据问题一节）",
                               "en": "correct the value into its allowed range (see the README's data problems)"},
    "next_step_date_in_future": {"zh": "晚于运行当天的日期：检查年份，或日与月是否颠倒（date_format）",
                                 "en": "dates after the day of the run: check the year, or whether day and month are "
                                       "swapped (key 'date_format')"},
    "next_step_first_contact_in_future": {"zh": "检查首次接触日期的年份",
                                          "en": "check the year of the first contact"},
    "next_step_date_out_of_window": {"zh": "不在分析窗口内：如需纳入请调整 start/end",
                                     "en": "outside the case's window: widen 'start'/'end' if these rows belong to "
                                           "the analysis"},
    "next_step_duplicate_row": {"zh": "与前面某行完全相同；若相同行是不同的购买（无订单号），设 duplicates: keep",
                                "en": "copies of an earlier row; if identical lines are separate purchases (no order "
                                      "id), set duplicates: keep"},
    "next_step_order_id_conflict": {"zh": "同一订单的行互相矛盾：修正导出数据，或设 conflicts: keep_last/keep_first；"
                                          "若一个订单有多行，请映射 product_id",
                                    "en": "rows of one order disagree: correct the export, or set conflicts: "
                                          "keep_last (keep_first) to keep the latest (first) row; if an order has "
                                          "several lines, map product_id"},
    "next_step_non_numeric_answer": {"zh": "答案应为量表上的数字；文字答案需先编码（如 非常满意 = 5）",
                                     "en": "answers must be numbers on the scale; code text answers ('非常满意' = 5) "
                                           "before loading"},
    "next_step_out_of_scale": {"zh": "超出量表范围：检查量表，或声明缺失代码 missing_codes: [-99]",
                               "en": "answers outside the spec's scale: check the scale or declare missing codes "
                                     "(missing_codes: [-99])"},
    "next_step_not_on_scale_step": {"zh": "答案不在量表刻度上：检查量表的 step",
                                    "en": "answers between scale points: check the scale's step"},
    "next_step_straight_lining": {"zh": "所有题目答案相同，通常为敷衍作答",
                                  "en": "the same answer to every item; usually inattentive respondents"},
    "next_step_too_many_missing": {"zh": "过半题目未作答",
                                   "en": "more than half of the items unanswered"},
    "next_step_missing_answers": {"zh": "有题目未作答（列表删除）",
                                  "en": "an item unanswered (listwise deletion)"},
    "next_step_date_format": {"zh": "设 date_format: '{format}'（可读取 {examples}）",
                              "en": "set date_format: '{format}' (it reads {examples})"},
}
_twice = sorted(set(_NEXT_STEP_LABELS) & set(LABELS))
if _twice:  # pragma: no cover - caught by the test suite on import
    raise RuntimeError(f"labels defined twice: {_twice}")
LABELS.update(_NEXT_STEP_LABELS)

#: Messages about reading a case and its files (errors and validate warnings), in the case's
#: language where it is known (:mod:`workbench.io`, :mod:`workbench.cases`, :mod:`workbench.quality`).
_MESSAGE_LABELS = {
    "message_repeated_header": {
        "zh": "{source}：表头中 '{text}' 出现了 {count} 次，在第 {where} 列（从 1 开始计数，与电子表格相同），"
              "而{how}，因此无法确定指的是哪一列；请在文件中把其中一列改名，并在 'columns' 下映射所指的那一列"
              "（columns: {{{canonical}: <列名>}}）",
        "en": "{source}: the header has '{text}' {count} times, in columns {where} (counting from 1, as a "
              "spreadsheet does), and {how}, so which one is meant is unclear; rename one of them in the file "
              "and map the one you mean under 'columns' (columns: {{{canonical}: <its name>}})"},
    "message_repeated_how_mapped": {"zh": "案例把 '{canonical}' 映射到该列（键 'columns.{canonical}'）",
                                    "en": "the case maps '{canonical}' to it (key 'columns.{canonical}')"},
    "message_repeated_how_canonical": {"zh": "'{canonical}' 按同名列读取",
                                       "en": "'{canonical}' is read from the column of that name"},
    "message_repeated_how_spec_item": {
        "zh": "'{canonical}' 是问卷模型规格的题目（键 'parameters.satisfaction.spec'），按同名列读取",
        "en": "'{canonical}' is an item of the survey's model spec (key 'parameters.satisfaction.spec'), "
              "read from the column of that name"},
    "message_looks_like_xlsx": {
        "zh": "{file}：看起来是 Excel 工作簿（.xlsx），但文件名后缀为 {suffix}；请把后缀改为 .xlsx，"
              "或在 Excel 中另存为 CSV UTF-8",
        "en": "{file}: looks like an Excel workbook (.xlsx) but is named {suffix}; rename it to .xlsx, "
              "or save it from Excel as CSV UTF-8"},
    "message_looks_like_xls": {
        "zh": "{file}：看起来是旧版 Excel 97-2003 工作簿（.xls），但文件名后缀为 {suffix}；"
              "请在 Excel 或 LibreOffice 中另存为 .xlsx（或 CSV UTF-8）",
        "en": "{file}: looks like an old Excel 97-2003 workbook (.xls) but is named {suffix}; open it in "
              "Excel or LibreOffice and save it as .xlsx (or CSV UTF-8)"},
    "message_looks_like_csv": {
        "zh": "{file}：看起来是文本文件（CSV），不是 Excel 工作簿，但文件名后缀为 {suffix}；"
              "请把后缀改为 .csv，或在 Excel 中另存为 .xlsx",
        "en": "{file}: looks like a text file (CSV), not an Excel workbook, but is named {suffix}; give it "
              "the suffix .csv, or save it as .xlsx from Excel"},
    "message_one_column": {
        "zh": "文件只读出一列（{header}）：如果各值之间用 , ; 制表符 | 以外的字符分隔，请用键 'sep' 指定，"
              "例如 sep: ':'，连续空格分隔则写 sep: whitespace",
        "en": "the file reads as one column ({header}): if its values are separated by a character other "
              "than , ; tab or |, name it with the key 'sep', e.g. sep: ':' (sep: whitespace for runs of "
              "blanks)"},
    "message_case_is_folder": {
        "zh": "{path}：是一个文件夹，不是案例文件；--case 需要案例文件（.yaml）的路径或内置案例的名称{inside}",
        "en": "{path}: is a folder, not a case file; --case takes the path of a case file (.yaml) or the "
              "name of a bundled case{inside}"},
    "message_case_folder_has": {"zh": "；该文件夹中的案例文件：{files}",
                                "en": "; case files in that folder: {files}"},
    "message_period_not_week": {
        "zh": "期间 {text!r} 不是一周：案例的 granularity 为 W（周，键 'granularity'），期间（键 "
              "'default_period' 或 --period）请写成 ISO 周，如 '2024-W10'，或该周中的某一天，如 '2024-03-04'",
        "en": "period {text!r} is not a week: the case's granularity is W (weeks, key 'granularity'), so "
              "write the period (key 'default_period' or --period) as an ISO week such as '2024-W10', or a "
              "day of the week such as '2024-03-04'"},
    "message_huge_amounts": {
        "zh": "{source}：{n} 个金额的绝对值达到 {limit} 或以上，例如 {examples}：没有哪笔销售有这么大（单位"
              "或导出错误？）；这些行被保留并标记为 is_outlier，但它们的合计会丢失分位甚至溢出，请修正",
        "en": "{source}: {n} amount(s) of {limit} or more in absolute value, e.g. {examples}: no sale is "
              "that large (a unit or export error?); the rows are kept and flagged is_outlier, but sums of "
              "them lose the cents or overflow: correct them"},
    "message_row_value": {"zh": "第 {row} 行：{value}", "en": "row {row}: {value}"},
    # the validate command's report (quality.ValidationReport.to_text)
    "validate_sources": {"zh": "数据来源（读入行数 = 保留 + 隔离）：", "en": "Sources (rows in = kept + quarantined):"},
    "validate_problems": {"zh": "\n隔离的行，按原因（取第一个适用的原因）：",
                          "en": "\nQuarantined rows, by reason (the first that applies):"},
    "validate_problem": {"zh": "  {table}：{reason}：{rows:,} 行，例如 {examples}",
                         "en": "  {table}: {reason}: {rows:,} row(s), e.g. {examples}"},
    "validate_next_step": {"zh": "      下一步：{advice}", "en": "      next step: {advice}"},
    "validate_joins": {"zh": "\n表间关联（在另一张表中找到的编号比例）：",
                       "en": "\nJoins (share of ids found in the other table):"},
    "validate_join": {"zh": "  {join}：{keys:,} 个编号中找到 {matched:,} 个（{rate}）",
                      "en": "  {join}: {matched:,} of {keys:,} ids ({rate})"},
    "validate_warnings": {"zh": "\n警告：", "en": "\nWarnings:"},
    "validate_row": {"zh": "第 {row} 行", "en": "row {row}"},
    "validate_join_low": {
        "zh": "关联 {join}：{keys:,} 个编号中只找到 {matched:,} 个（{rate:.1%}）；未找到的如 {unmatched}；"
              "另一张表中有如 {other}。{hint}",
        "en": "join {join}: only {matched:,} of {keys:,} ids match ({rate:.1%}); not found, e.g. {unmatched}; "
              "the other side has, e.g. {other}. {hint}"},
    "validate_personal_column": {
        "zh": "{source}：列 {column!r} 看起来是个人数据（{kind}）；{where}",
        "en": "{source}: column {column!r} looks like personal data ({kind}); {where}"},
    "validate_not_read": {"zh": "未读入", "en": "not read"},
    "validate_pseudonymised": {"zh": "已假名化", "en": "pseudonymised"},
    "validate_negative_net": {
        "zh": "{n:,} 位客户的退货多于购买（净销售额 < 0），例如 {examples}：购买可能早于数据窗口的开始或不在文件中；"
              "这些退货已保留",
        "en": "{n:,} customer(s) returned more than they bought (net revenue < 0), e.g. {examples}: the "
              "purchase may be before the window's start or missing from the file; their returns are kept"},
    "validate_keeps_no_row": {
        "zh": "数据来源 {name!r} 没有保留任何行：无法分析其中任何内容；原因见上",
        "en": "source {name!r} keeps no row: nothing of it can be analysed; see the reasons above"},
    "validate_item_unanswered": {
        "zh": "问卷：题项 {item!r} 没有任何回答；请检查文件中的该列与列映射",
        "en": "survey: item {item!r} has no answer at all; check its column in the file and the mapping"},
    "validate_no_respondent": {
        "zh": "问卷：没有受访者通过答案检查（原因见上）；满意度报告无法运行",
        "en": "survey: no respondent passes the answer checks (see the reasons above); the satisfaction "
              "notebook cannot run"},
    "message_quarantine_parquet": {
        "zh": "隔离的行共 {rows} 行，超过电子表格能打开的行数：每一行（文件、行号、数值与原因）已写为 Parquet "
              "文件，列与 quarantine.csv 相同：{path}",
        "en": "The quarantine has {rows} rows, more than a spreadsheet opens: every quarantined row, with its "
              "file, row number, values and reason, is written as Parquet, with the columns of "
              "quarantine.csv: {path}"},
    "message_personal_ids": {
        "zh": "{source}：customer_id 看起来是个人数据（{kind}）；在所有表中以相同的假名替换，关联不受影响",
        "en": "{source}: customer_id looks like personal data ({kind}); replaced by the same pseudonym in "
              "every table, so joins still work"},
}
_twice = sorted(set(_MESSAGE_LABELS) & set(LABELS))
if _twice:  # pragma: no cover - caught by the test suite on import
    raise RuntimeError(f"labels defined twice: {_twice}")
LABELS.update(_MESSAGE_LABELS)

_NUMBER = r"-?[\d.,]+"
#: (pattern, label key): a sentence an analysis module writes with numbers in it, read back
#: into its parts so that it can be shown in the report's language. A named group
#: ``source_<field>`` names a source table: ``{field}`` is shown as its ``source_<table>`` label;
#: a group ``text_<field>`` holds a sentence of its own, translated the same way.
#: Each pattern is tested against the module that writes the sentence (tests/test_labels.py),
#: so a changed wording fails there instead of showing English in a Chinese report.
TEXT_PATTERNS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), key) for p, key in [
    (rf"scale (?P<lo>{_NUMBER})-(?P<hi>{_NUMBER})", "detail_scale"),
    (r"answers (?P<points>-?[\d.]+(?:, -?[\d.]+)*, \.\.\., -?[\d.]+)", "detail_scale_points"),
    (r"continuous scale: not checked", "detail_continuous_scale"),
    (r"not checked", "detail_not_checked"),
    (r"more than (?P<share>\d+%) of (?P<n>[\d,]+) items unanswered", "detail_too_many_missing"),
    (r"kept: mean replacement", "detail_mean_replacement"),
    (r"duration in days, kept linear", "reason_linear_days"),
    (rf"skewness (?P<skew>{_NUMBER}) (?P<op>>|<=) (?P<limit>{_NUMBER})", "reason_skewness"),
    (rf"signed, skewness (?P<skew>{_NUMBER}), excess kurtosis (?P<kurt>{_NUMBER})", "reason_signed"),
    (r"set by the user", "reason_user"),
    (r"recency > (?P<h>[\d.]+) days \(churn horizon(?P<text_source>[,:].*)\)", "stage_rule_churned"),
    (r"fewer than 2 active (?P<unit_per>week|month|quarter|year)s \(one purchase period: still trying\)",
     "stage_rule_exploration"),
    (rf"falling spend: normalised slope <= -(?P<tt>{_NUMBER}) per (?P<unit_per>week|month|quarter|year) and "
     rf"R2 >= (?P<r2>{_NUMBER})(?P<pv>(, p <= {_NUMBER})?)", "stage_rule_decline"),
    (rf"rising spend \(normalised slope >= (?P<tt>{_NUMBER}), R2 >= (?P<r2>{_NUMBER})(?P<pv>(, p <= {_NUMBER})?)\) "
     r"or fewer than (?P<mps>\d+) (?P<unit_per>week|month|quarter|year)s since the first purchase",
     "stage_rule_formation"),
    (r"the rest: (?P<mps>\d+)\+ (?P<unit_per>week|month|quarter|year)s of relationship, no clear trend",
     "stage_rule_stability"),
    (r", set by the case", "horizon_by_case"),
    (r": (?P<q>\d+%) quantile of inter-purchase times", "horizon_by_quantile"),
    (r": (?P<q>\d+%) quantile of inter-purchase times, customers weighted equally", "horizon_by_quantile_weighted"),
    (rf"or BG/NBD P\(alive\) < (?P<p>{_NUMBER})", "horizon_or_p_alive"),
    (rf"clear segmentation at k=(?P<k>\d+): silhouette (?P<silhouette>{_NUMBER}), bootstrap ARI (?P<ari>{_NUMBER})",
     "quality_clear"),
    (rf"clear segmentation at k=(?P<k>\d+): silhouette (?P<silhouette>{_NUMBER})", "quality_clear_no_bootstrap"),
    (r"weak segmentation at k=(?P<k>\d+): (?P<text_problems>.+?); the segments are not well separated or not "
     r"reproducible, read them as a partition of a continuum rather than distinct customer types", "quality_weak"),
    (rf"silhouette only (?P<gain>[+-]{_NUMBER}) above a single Gaussian's \((?P<null>{_NUMBER}); "
     rf"needed \+(?P<needed>{_NUMBER})\)", "quality_low_gain"),
    (rf"bootstrap ARI (?P<ari>{_NUMBER}) < (?P<needed>{_NUMBER})", "quality_unstable"),
    (rf"k=(?P<k>\d+): highest silhouette \((?P<silhouette>{_NUMBER})\) among the stable k "
     rf"\(bootstrap ARI >= (?P<needed>{_NUMBER}): (?P<ks>\d+(?:, \d+)*)\)", "k_best_stable"),
    (rf"k=(?P<k>\d+): highest silhouette \((?P<silhouette>{_NUMBER})\)", "k_best"),
    (r"stability not computed", "k_stability_not_computed"),
    (rf"no k is stable \(bootstrap ARI < (?P<needed>{_NUMBER}) for all\)", "k_none_stable"),
    (r"elbow of inertia at k=(?P<k>\d+)", "k_elbow"),
    (r"Calinski-Harabasz highest at k=(?P<k>\d+)", "k_ch_highest"),
    (r"Davies-Bouldin lowest at k=(?P<k>\d+)", "k_db_lowest"),
    (r"k=(?P<k>\d+) set by the user \(case file\)", "k_set_by_user"),
    (r"the criteria recommend (?P<recommended>\d+): (?P<text_reason>.+)", "k_criteria_recommend"),
    (r"(?P<source_left>[a-z][a-z0-9_]*) -> (?P<source_right>[a-z][a-z0-9_]*)", "join_pair"),
    (r"ids differ in leading zeros .*", "hint_leading_zeros"),
    (r"ids differ in upper/lower case or blanks inside them", "hint_case_blanks"),
    (r"the two files share few ids: check that both use the same customer ids", "hint_few_shared"),
]]


_NUMBERED = re.compile(r"([a-z][a-z0-9_]*[a-z])_(\d+)")


_QUALIFIED = re.compile(r"(?P<base>[A-Za-z0-9_]*[A-Za-z0-9])_(?P<way>higher|lower)_(?P<column>[a-z][a-z0-9_]*[a-z])")
_UNIT = re.compile(r"\s*[（(][^（()）]*[)）]$")  # a trailing unit: "（天）", " (days)"
#: the zh words of "higher"/"lower" by the kind of column (durations are long, counts many)
_ZH_WAYS = (("时长", "较长", "较短"), ("间隔", "较长", "较短"), ("次数", "较多", "较少"), ("", "较高", "较低"))


def _numbered(text: str, lang: str) -> str | None:
    """A labelled code with a disambiguating number (``important_value_2``, the second
    "important value" segment) as ``重要价值客户 (2)``, or with the trait that sets it
    apart from its namesakes (``general_development_higher_tenure_days``: 一般发展客户
    （客户关系时长较长）, "General development (higher tenure)"); None for anything else."""
    found = _QUALIFIED.fullmatch(text)
    if found and found.group("column") in LABELS:
        base, higher = found.group("base"), found.group("way") == "higher"
        shown = label(base, lang) if base in LABELS else base
        trait = _UNIT.sub("", label(found.group("column"), lang))
        if lang == "zh":
            word = next(up if higher else down for key, up, down in _ZH_WAYS if key in trait)
            return f"{shown}（{trait}{word}）"
        return f"{shown} ({found.group('way')} {trait[:1].lower()}{trait[1:]})"
    found = _NUMBERED.fullmatch(text)
    if found and found.group(1) in LABELS:
        return f"{label(found.group(1), lang)} ({found.group(2)})"
    return None


def translate_text(text: str, lang: str) -> str:
    """A code or one of the analysis modules' fixed sentences in ``lang``; other text as it is.

    A key of :data:`LABELS` is shown through :func:`label`; a sentence that matches one of
    :data:`TEXT_PATTERNS` as a whole is shown through its label with the numbers it holds
    (``"scale 1-7"`` -> ``"量表 1-7"``), and a sentence of such clauses joined by ``"; "``
    or ``" and "`` clause by clause; a code with a disambiguating number reads as
    :func:`segment_label` shows it (``important_value_2`` ->
    ``重要价值客户 (2)``). The files a report writes keep the English.

    Parameters
    ----------
    text : str
    lang : {"zh", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> translate_text("more than 50% of 20 items unanswered", "zh")
    '20 个题项中超过 50% 未作答'
    >>> translate_text("survey -> customers", "zh")
    '满意度问卷 → 客户档案'
    >>> translate_text("CUSA1", "zh")
    'CUSA1'
    """
    shown = _translated(text, lang)
    return text if shown is None else shown


#: how a sentence of several clauses is joined again: "a; b" and "a and b"
_JOINS = (("; ", {"zh": "；", "en": "; "}), (" and ", {"zh": "，且", "en": " and "}))


def _translated(text: str, lang: str) -> str | None:
    """``text`` in ``lang``, or None when it is neither a label key nor a known sentence."""
    if text in LABELS:
        return label(text, lang)
    numbered = _numbered(text, lang)
    if numbered is not None:
        return numbered
    for pattern, key in TEXT_PATTERNS:
        found = pattern.fullmatch(text)
        if not found:
            continue
        parts = {}
        for name, value in found.groupdict().items():
            if name.startswith("source_"):
                parts[name[7:]] = label(f"source_{value}", lang) if f"source_{value}" in LABELS else value
            elif name.startswith("unit_"):  # a period unit ("quarter" -> 季度)
                parts[name[5:]] = label(f"unit_{value}", lang)
            elif name.startswith("text_"):
                inner = _translated(value, lang)
                if inner is None:
                    break
                parts[name[5:]] = inner
            else:
                parts[name] = value
        else:
            return label(key, lang).format(**parts)
    for separator, joined in _JOINS:  # clauses, each a known sentence: "k=5: ...; elbow of inertia at k=5"
        if separator in text:
            clauses = [_translated(part, lang) for part in text.split(separator)]
            if None not in clauses:
                return joined[lang].join(clauses)
    return None


def is_translatable(text: str) -> bool:
    """Whether :func:`translate_text` knows ``text`` (a label key, a known sentence or clauses of them).

    Parameters
    ----------
    text : str

    Returns
    -------
    bool
    """
    return _translated(text, "en") is not None


def segment_label(name: str, lang: str = "en") -> str:
    """Display label of a segment name, with what sets it apart from its namesakes.

    ``"general_development_higher_spend_trend"`` (one of several segments that profile as
    general development, the one whose spend trend is highest among them) reads "General
    development (higher spend trend)" / "一般发展客户（消费趋势较高）"; a numbered name
    ``"important_value_2"`` "Important value (2)" / "重要价值客户 (2)"; unknown names pass
    through.

    Parameters
    ----------
    name : str
        A segment name code, e.g. from ``CustomerSegmenter.names_``.
    lang : {"zh", "en"}

    Returns
    -------
    str

    References
    ----------
    No external reference; reads the zh/en label table :data:`LABELS`.

    Examples
    --------
    >>> segment_label("important_value_2", "zh")
    '重要价值客户 (2)'
    >>> segment_label("general_development_lower_tenure_days", "zh")
    '一般发展客户（客户关系时长较短）'
    >>> segment_label("general_development_higher_monetary_total", "en")
    'General development (higher total spend)'
    >>> segment_label("important_value", "en")
    'Important value'
    """
    name = str(name)
    if name in LABELS:
        return label(name, lang)
    numbered = _numbered(name, lang)
    return name if numbered is None else numbered


_STATISTIC = re.compile(r"(.+)_(mean|sd|min|max)")


def column_label(name: str, lang: str = "en") -> str:
    """The header of a result column in ``lang``: its label, a numbered segment code as
    :func:`segment_label` reads it, or a statistic of a labelled column.

    Parameters
    ----------
    name : str
        A column name: a key of :data:`LABELS` (``recency_days``), a numbered segment code
        (``important_value_2``, a crosstab's columns) or ``<key>_<statistic>`` with the
        statistic ``mean``, ``sd``, ``min`` or ``max`` (a segment profile's columns).
    lang : {"zh", "en"}

    Returns
    -------
    str
        The name itself when none of these applies.

    References
    ----------
    No external reference; reads the zh/en label table :data:`LABELS`.

    Examples
    --------
    >>> column_label("recency_days_mean", "zh"), column_label("recency_days_sd", "en")
    ('最近购买间隔（天）均值', 'Recency (days), SD')
    >>> column_label("important_value_2", "zh"), column_label("my_score", "zh")
    ('重要价值客户 (2)', 'my_score')
    """
    name = str(name)
    text = segment_label(name, lang)
    if text != name:
        return text
    found = _STATISTIC.fullmatch(name)
    if found and found.group(1) in LABELS:
        base, statistic = label(found.group(1), lang), label(found.group(2), lang)
        return f"{base}{statistic}" if lang == "zh" else f"{base}, {statistic}"
    return name


def label(key: str, lang: str = "en") -> str:
    """The display label of ``key`` in ``lang``; unknown keys are returned unchanged.

    Parameters
    ----------
    key : str
        A column name or category code produced by the analysis modules.
    lang : {"zh", "en"}
        Report language.

    Returns
    -------
    str
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not supported; use one of {LANGUAGES}")
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def translate_columns(frame: pd.DataFrame, lang: str, keep: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` with its column names (and index name) translated.

    Parameters
    ----------
    frame : pandas.DataFrame
    lang : {"zh", "en"}
    keep : iterable of str
        Columns whose names stay as they are.

    Returns
    -------
    pandas.DataFrame
    """
    keep = set(keep)
    out = frame.rename(columns={c: c if c in keep else column_label(str(c), lang) for c in frame.columns})
    if out.index.name is not None:
        out.index.name = label(str(out.index.name), lang)
    return out


def translate_codes(frame: pd.DataFrame, lang: str, keep: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of ``frame`` for display: code values and names read as labels.

    A text or categorical column whose distinct non-missing values are all keys of
    :data:`LABELS` (stage, class, segment and reason codes) is shown through
    :func:`label`; other columns (ids, names, numbers) are left alone, so a customer id
    is never mistaken for a code. The index is treated the same way, and column names
    are translated as by :func:`translate_columns`.

    Parameters
    ----------
    frame : pandas.DataFrame
    lang : {"zh", "en"}
    keep : iterable of str
        Columns left exactly as they are (name and values).

    Returns
    -------
    pandas.DataFrame
        The files a report writes keep the codes; only what is displayed changes.

    Examples
    --------
    >>> import pandas as pd
    >>> translate_codes(pd.DataFrame({"stage": ["stability", "decline"], "customer_id": ["C1", "C2"]}), "zh")
      生命周期阶段 客户编号
    0    稳定期   C1
    1    退化期   C2
    """
    keep = set(keep)
    out = frame.copy()
    for col in out.columns:
        if col not in keep and _is_codes(out[col]):
            out[col] = out[col].map(lambda v: v if pd.isna(v) else label(str(v), lang)).astype(object)
    if _is_codes(out.index.to_series()):
        out.index = pd.Index([label(str(v), lang) for v in out.index], name=out.index.name)
    return translate_columns(out, lang, keep)


def _is_codes(values: pd.Series) -> bool:
    if not (isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(values)
            or values.dtype == object):
        return False
    distinct = pd.unique(values.dropna())
    return len(distinct) > 0 and all(isinstance(v, str) and v in LABELS for v in distinct)
