"""One zh/en label table for figures and tables.

Reports switch between Chinese and English by the case's ``language`` without touching
analysis code: analysis modules produce stable English column names and category codes,
and notebooks and plots translate them here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["LANGUAGES", "LABELS", "label", "translate_codes", "translate_columns"]

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
    "key_account": {"zh": "大客户", "en": "Key accounts"},
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
        "zh": "MAN 高的商机赢单率 {high:.1%}，MAN 低的 {low:.1%}（相差 {ratio:.1f} 倍）；{test} 检验 p = {p:.2g}，"
              "{verdict}",
        "en": "MAN-high deals are won {high:.1%} of the time, MAN-low ones {low:.1%} ({ratio:.1f} times less "
              "often); {test} test p = {p:.2g}: {verdict}"},
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
    # --- end funnel ----------------------------------------------------------------------
}


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
    out = frame.rename(columns={c: c if c in keep else label(str(c), lang) for c in frame.columns})
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
