"""One zh/en label table for figures and tables.

Reports switch between Chinese and English by the case's ``language`` without touching
analysis code: analysis modules produce stable English column names and category codes,
and notebooks and plots translate them here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["LANGUAGES", "LABELS", "label", "translate_columns"]

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
