"""The words of the report and the charts, in English (the default) and Chinese (``--lang zh``).

Every text a planner reads passes through :func:`tr`, keyed by its English wording, so an
English report is unchanged by this module and a missing translation shows English rather
than nothing. The language is a context variable: the command line sets it once
(:func:`use`) and every chart and page drawn inside reads it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

LANGUAGES = ("en", "zh")
_LANG: ContextVar[str] = ContextVar("commplan_lang", default="en")


@contextlib.contextmanager
def use(lang: str | None) -> Iterator[None]:
    """Draw and write in ``lang`` inside the block (None keeps the language in force)."""
    if lang is None:
        yield
        return
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def current() -> str:
    return _LANG.get()


def tr(text: str, /, **values: object) -> str:
    """``text`` in the current language, its ``{placeholders}`` filled from ``values``."""
    if _LANG.get() == "zh":
        text = ZH.get(text, text)
    return text.format(**values) if values else text


def currency() -> str:
    """One currency word everywhere: yuan (元)."""
    return tr("yuan")


def year_label(start_year: int, year: int) -> str:
    """One year labelling everywhere: the calendar year of plan year ``year`` (1 = ``start_year``)."""
    return tr("{calendar}", calendar=start_year + year - 1)


def money(value: float) -> str:
    """1 234 567 → "1.23 M"; in Chinese "123.5 万" (planners there count in 万, ten thousands)."""
    if _LANG.get() == "zh":
        if abs(value) >= 1e4:
            return f"{value / 1e4:,.1f}".rstrip("0").rstrip(".") + " 万"
        return f"{value:,.0f}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f} k"
    return f"{value:,.0f}"


#: English → Chinese. Terms follow the source plans' usage (社区工作者, 一站式服务大厅, 达标).
ZH: dict[str, str] = {
    "yuan": "元",
    # report
    "Scenario": "情景",
    "communities": "个社区",
    "years from": "年，起始于",
    "simulated replications": "次模拟重复",
    "meets {sure} of {n} targets with ≥ {p} probability": "以 ≥ {p} 的概率达成 {n} 项目标中的 {sure} 项",
    "plans to meet all {n} targets": "规划达成全部 {n} 项目标",
    "cannot meet all the targets together": "无法同时达成全部目标",
    "at {cost} yuan": "总费用 {cost} 元",
    "was simulated without a plan": "未经规划直接模拟",
    "; the costliest binding target is {target} in {year} (relaxing it by one {unit} saves {saving} yuan)": "；代价最高的约束目标是 {year} 年的 {target}（放宽一个{unit}可节省 {saving} 元）",
    " At risk: ": " 有风险：",
    "{target} (met in {p} of simulated runs)": "{target}（模拟中达成比例 {p}）",
    "Plan status": "规划状态",
    "gap": "差距",
    "Cost": "费用",
    "Cost by year: planned and simulated": "逐年费用：规划与模拟",
    "year": "年份",
    "planned (yuan)": "规划（元）",
    "simulated (yuan)": "模拟（元）",
    "difference (yuan)": "差额（元）",
    "Cost by line": "分项费用",
    "line": "分项",
    "what it is": "含义",
    "cost (yuan)": "费用（元）",
    "Why planned and simulated spending differ": "规划与模拟支出为何不同",
    "Targets": "目标",
    "Why a target is at risk": "目标为何有风险",
    "The simulated city, year by year": "模拟中的城市，逐年",
    "Means over the simulated replications.": "各次模拟重复的平均值。",
    "Community by community": "逐个社区",
    "Charts": "图表",
    "target": "目标",
    "kind": "类型",
    "required": "要求",
    "planned": "规划",
    "achieved mean": "模拟平均",
    "probability met": "达成概率",
    "binding": "约束",
    "marginal cost": "边际成本",
    "marginal status": "边际成本状态",
    "shortfall": "缺口",
    "reason": "原因",
    "P(met every year)": "每年均达成的概率",
    "yes": "是",
    "no": "否",
    "short": "未达标",
    "met": "达标",
    "not computed": "未计算",
    "optimal": "最优",
    "optimal within gap": "在容差内最优",
    "infeasible": "不可行",
    "time limit": "超时",
    "simulated": "已模拟",
    "min-cost": "最低成本",
    "max-attainment": "最大达成",
    "needs served (%)": "需求满足率（%）",
    "satisfaction at year end": "年末满意度",
    "{kind}s hired": "招聘{kind}",
    "{kind}s who left": "离职{kind}",
    "{kind}s at year end": "年末{kind}",
    "community worker": "社区工作者",
    "social worker": "社工",
    "plan year": "规划年",
    "Plan year": "规划年",
    "community": "社区",
    "name": "名称",
    "Marginal costs are computed in min-cost mode only: a max-attainment plan spends the budget, so relaxing a requirement saves nothing.": "边际成本只在最低成本模式下计算：最大达成模式的规划会用完预算，放宽某项要求不会节省费用。",
    # cost lines
    "space": "服务用房",
    "facilities": "设施",
    "hires": "招聘",
    "pay": "薪酬",
    "other": "其他",
    "Service space": "服务用房",
    "Facilities": "设施",
    "Hiring": "招聘",
    "Staff pay": "人员薪酬",
    "building added service space, its project fees, and running the added m²": "新增服务用房的建设、项目费及新增面积的运行费",
    "building new facilities and running them": "新建设施的建设费及运行费",
    "one-off cost of each hire": "每次招聘的一次性费用",
    "pay above today's wage bill (the pay policy and extra staff)": "高于现有工资总额的薪酬（薪酬政策及新增人员）",
    "spent in the simulation outside the plan's lines (building cost overruns, organisation contracts, extensions)": "模拟中规划分项以外的支出（工程超支、社会组织购买服务、扩展模块）",
    # charts
    "{title}: required, planned and achieved": "{title}：要求、规划与模拟达成",
    "Each requirement by year: required, planned, and achieved in the simulation (median and 5–95 % range)": "每项要求逐年：要求、规划及模拟达成（中位数与 5–95% 区间）",
    "{title}: month by month over the plan": "{title}：规划期内逐月",
    "City-wide satisfaction, unmet demand and staff: median and 5–95 % of replications": "全市满意度、未满足需求与人员：各重复的中位数与 5–95% 区间",
    "Cost by year and line": "逐年分项费用",
    "Does the plan meet each target? (required and planned)": "规划是否达到每项目标？（要求与规划）",
    "Targets met by each community and year in the plan": "规划中各社区逐年达标情况",
    "{title}: which community meets which target in the plan": "{title}：规划中哪些社区达到哪些目标",
    "achieved (median, 5–95 %)": "模拟达成（中位数，5–95%）",
    "communities meeting it": "达标社区数",
    "key communities meeting it": "达标重点社区数",
    "opened that year": "当年新开设",
    "city-wide staff": "全市人员",
    "average per community": "社区平均",
    "per community": "每社区",
    "key communities": "重点社区",
    "facilities opened": "新开设设施",
    "staff": "人员",
    "5–95 % of replications": "各重复的 5–95%",
    "median": "中位数",
    "month": "月",
    "Satisfaction": "满意度",
    "Unmet demand": "未满足需求",
    "mean satisfaction (0–1)": "平均满意度（0–1）",
    "needs not served per month": "每月未满足的需求",
    "staff in post": "在岗人员",
    "meets": "达标",
    "does not meet": "未达标",
    "year, by target": "年份（按目标）",
    "({shown} of {total} shown, evenly spaced)": "（显示 {total} 个中的 {shown} 个，均匀抽取）",
    "What the plan costs each year, by line": "规划每年费用（分项）",
    "total": "合计",
    "Cost (million yuan)": "费用（百万元）",
    "Cost (thousand yuan)": "费用（千元）",
    "The scenario sets no requirements": "该情景没有设定要求",
    "Required (100 %)": "要求（100%）",
    "Planned: met": "规划：达标",
    "Planned: short": "规划：未达标",
    "Planned as a share of the requirement (1.0 = exactly met)": "规划占要求的比例（1.0 = 恰好达标）",
    "In the plan, before simulation: does it meet each target? ({mode}, {status})": "规划本身（未经模拟）是否达到每项目标？（{mode}，{status}）",
    "What each budget buys": "每个预算能买到什么",
    "share of requirements the plan meets": "规划满足的要求比例",
    "no plan fits this budget": "该预算下无可行规划",
    "P(every requirement met), simulated": "全部要求均达成的概率（模拟）",
    "probability the target is met in every year (%)": "每年均达成该目标的概率（%）",
    "Chance of meeting each target": "达成各目标的概率",
    "total budget ({currency})": "总预算（{currency}）",
    "{title}: the budget frontier": "{title}：预算前沿",
    "Options side by side": "方案并列比较",
    "total cost of the plan (yuan)": "规划总费用（元）",
    "probability met in every year (%)": "每年均达成的概率（%）",
    "Cost and the chance of meeting each target, by run": "各方案的费用与达成各目标的概率",
    "Cost and chance of meeting each target": "费用与达成各目标的概率",
    "Paired differences": "配对差异",
    "Replication r of every run met the same random draws when the runs share a seed (common random numbers): P(A meets a target and B does not) is then the policy's doing, not luck.": "当各方案使用相同种子时，每个方案的第 r 次重复遇到相同的随机抽样（共同随机数）：此时 P(A 达成而 B 未达成) 反映政策差异，而非运气。",
    "No pair of runs has simulated replications in common.": "没有两个方案具有共同的模拟重复。",
    "The runs differ in mode: {modes}. A min-cost plan buys the targets at least cost; a max-attainment plan spends its budget to meet as many as it can. Compare their costs with that in mind.": "这些方案的模式不同：{modes}。最低成本规划以最低费用达成目标；最大达成规划用完预算以尽量多地达标。比较费用时请注意这一点。",
    "mode": "模式",
    "run": "方案",
    "status": "状态",
    "total cost": "总费用",
    "scenario": "情景",
    # communities
    "{title}: simulated probability each community meets each target, by year": "{title}：模拟中各社区逐年达成各目标的概率",
    "Probability each community meets each target in the simulation (planned: ○ meets, × does not)": "模拟中各社区达成各目标的概率（规划：○ 达标，× 未达标）",
    "probability met in the simulation": "模拟达成概率",
    "{title}: where the communities are": "{title}：社区分布",
    "Where the communities are: colour is the share of per-community targets met with ≥ 90 % probability in the last year": "社区分布：颜色表示最后一年以 ≥ 90% 概率达成的社区目标比例",
    "share of targets met with ≥ 90 % probability, {year}": "{year} 年以 ≥ 90% 概率达成的目标比例",
    "longitude": "经度",
    "latitude": "纬度",
    "Per-community targets: probability each community meets them in the simulation": "社区目标：模拟中各社区达成的概率",
    "served share": "需求满足率",
    "committee formed": "居委会已成立（模拟比例）",
    "the plan counts on {m2} m² of developers' space, each handed over with probability {p}": "规划计入了 {m2} m² 开发商配建用房，每处的移交概率为 {p}",
    "New developments and developers’ space": "新建小区与开发商配建用房",
    "Developers' space: {owed} m² owed, {counted} m² counted on by the plan, {delivered} m² handed over on average in the simulation ({share} of what is owed).": "开发商配建用房：应移交 {owed} m²，规划计入 {counted} m²，模拟中平均移交 {delivered} m²（占应移交的 {share}）。",
    "New development {community}: its residents' committee formed in {share} of simulated runs, in plan year {year} (median).": "新建小区 {community}：{share} 的模拟中成立了居委会，中位数为规划第 {year} 年。",
    "New development {community}: its residents' committee formed in {share} of simulated runs.": "新建小区 {community}：{share} 的模拟中成立了居委会。",
    "developer m2": "开发商移交面积（m²）",
    "satisfied": "满意度",
    # sweep report
    "What each budget buys and what it leaves short": "每个预算能买到什么、缺什么",
    "Budget {budget} yuan": "预算 {budget} 元",
    "plan cost {cost} yuan; {met} of {n} requirements met in the plan; every requirement met in {p} of simulated runs": "规划费用 {cost} 元；规划满足 {n} 项要求中的 {met} 项；全部要求在 {p} 的模拟中达成",
    "The plan meets every requirement.": "规划满足全部要求。",
    "communities short": "缺少的社区数",
    "short by": "缺口",
    "probability met (simulated)": "达成概率（模拟）",
    "{title}: budgets compared": "{title}：预算比较",
}
ZH.update(
    {
        ".": "。",
        ", ": "，",
        "Community workers": "社区工作者",
        "Social workers": "社工",
        "Results": "结果",
        "Re-planning": "逐年重新规划",
        "less": "少",
        "more": "多",
        "share": "社区比例",
        "keys by": "重点社区",
        "count": "设施数",
        "city staff": "全市人员",
        "city average": "全市平均",
        "community": "社区",
        "key community": "重点社区",
        "facility": "设施",
        "staff member": "名人员",
        "unit of the average": "个平均单位",
        "Scenario {name} · {n} communities · {years} years, {first}–{last} · amounts in yuan": "情景 {name} · {n} 个社区 · {years} 年（{first}–{last}）· 金额单位：元",
        " · {reps} simulated replications": " · {reps} 次模拟重复",
        "{year}: one row per community (every year in communities.csv and results.xlsx). meets: in the plan; probability: share of simulated runs in which the community meets the target at year end.": "{year} 年：每个社区一行（各年数据见 communities.csv 与 results.xlsx）。meets：规划中是否达标；probability：模拟中该社区年末达标的重复比例。",
        "This run re-planned at the end of each year: {found} of {total} re-solves found a plan. Each re-solve buys the cheapest plan for the remaining years from what the city has then, meeting each requirement exactly, with no margin for the turnover and construction delays that follow; compare it with the fixed plan (commplan compare) to see which targets it meets less often.": "本次运行在每年年末重新规划：{total} 次重新求解中有 {found} 次找到规划。每次重新求解都按当时城市的实际状况为剩余年份购买最便宜的规划，恰好满足每项要求，没有为随后的人员流失和工程延误留出余量；请与固定规划比较（commplan compare），看哪些目标的达成率更低。",
        "pay: {gap} yuan {direction} than planned; the plan pays its posts all year, but on average {vacant} posts a month stood vacant ({exits:.0f} staff left over the plan and every new post waits {lag} months for its hire)": "薪酬：比规划{direction} {gap} 元；规划按全年满员支付薪酬，但平均每月有 {vacant} 个岗位空缺（规划期内 {exits:.0f} 人离职，每个新岗位需等待 {lag} 个月才能到岗）",
        "hires: {gap} yuan {direction} than planned: posts left by staff who quit are refilled, each at the cost of a hire": "招聘：比规划{direction} {gap} 元：离职人员留下的岗位需要重新招聘，每次都有招聘费用",
        "{line}: {gap} yuan {direction} than planned: building is paid on delivery, projects run {lag:.0f} months late (median) and {deferred} are deferred a year, so some are paid in a later year or after the plan, and run for fewer months": "{line}：比规划{direction} {gap} 元：工程在交付时付款，延误中位数 {lag:.0f} 个月，{deferred} 的项目推迟一年，因此部分工程在以后年份或规划期后付款，运行月数也更少",
        "other: {amount} yuan the simulation spends that the plan does not count (building cost overruns, organisation contracts, an extension's costs)": "其他：模拟中有 {amount} 元支出不在规划之内（工程超支、社会组织购买服务、扩展模块的费用）",
        "Over the plan the simulation spends {sim} yuan against the plan's {plan} yuan ({gap}), both counted above today's wage bill and running costs.": "规划期内模拟支出 {sim} 元，规划为 {plan} 元（差额 {gap}），两者均按高于现有工资总额和运行费用的口径计算。",
        "met in {p} of runs: the median run reaches {median:g} of the {required:g} required": "在 {p} 的模拟中达成：中位数为 {median:g}，要求 {required:g}",
        "the plan itself falls short ({planned:g} planned)": "规划本身未达标（规划 {planned:g}）",
        "the plan meets it exactly, with no margin for anything going wrong": "规划恰好达标，没有任何余量",
        "the plan buys one training place per planned post; staff hired after the year's places are used, and "
        "those replacing trained staff who left, stay untrained": "规划按编制岗位每岗购买一个培训名额；名额用完后入职的人员，以及接替已培训离职人员的新人，均未受培训",
        "it is an outcome of the simulation, which the plan does not buy directly": "这是模拟的结果，规划无法直接购买",
        "building runs {lag:.0f} months late (median) and {deferred} of projects are deferred a year, so projects funded in a year may open only in the next": "工程延误中位数 {lag:.0f} 个月，{deferred} 的项目推迟一年，当年资助的项目可能要到次年才能投入使用",
        "the plan assumed {assumed} of {kind}s leave a year; in {year} {exits:.0f} left ({share} of the {start:.0f} in post at its start) and {hires:.0f} were hired, each post refilled after {lag} months": "规划假设{kind}每年流失 {assumed}；{year} 年有 {exits:.0f} 人离职（占年初在岗 {start:.0f} 人的 {share}），招聘 {hires:.0f} 人，每个岗位空缺 {lag} 个月后才补上",
        "{target}, {year}: met in {b} of re-planned runs against {a} with the fixed plan (mean level {lb:.1f} against {la:.1f})": "{target}，{year} 年：重新规划时达成率 {b}，固定规划为 {a}（平均水平 {lb:.1f}，固定规划 {la:.1f}）",
        "each re-solve buys the cheapest plan for the remaining years from what the city has then, meeting each requirement exactly as planned, with no margin for the turnover and delays that follow; {n} of {total} re-solves found a plan": "每次重新求解都为剩余年份购买最便宜的规划，恰好满足每项要求，没有为随后的人员流失和延误留出余量；{total} 次重新求解中有 {n} 次找到规划",
        "Does the plan meet each target? (the plan, before simulation)": "规划是否达到每项目标？（规划本身，未经模拟）",
        "calendar year": "年份",
        "meets": "达标",
        "probability": "概率",
    }
)
ZH.update(
    {
        "exact": "精确",
        "bounded": "有界",
        "not binding": "非约束",
        "not computed: time budget": "未计算：超出时间预算",
        "not computed: duals only": "未计算：仅对偶值",
        "achieved mean": "模拟平均",
        "staff community worker": "在岗社区工作者",
        "staff social worker": "在岗社工",
    }
)
ZH[" "] = "，"
ZH.update(
    {
        "probability met": "达成概率",
        "p a not b": "A 达成而 B 未达成",
        "p b not a": "B 达成而 A 未达成",
        "p both": "均达成",
        "p neither": "均未达成",
        "replications": "重复次数",
        "common random numbers": "共同随机数",
        "a": "A",
        "b": "B",
    }
)
ZH["Why {b} (re-planned) does worse than {a}"] = "为何 {b}（逐年重新规划）不如 {a}"
ZH.update(
    {
        "evaluated by": "评估方式",
        "plan": "规划",
        "simulation": "模拟",
        "plan and simulation": "规划与模拟",
        "<b>evaluated by</b>: <i>plan</i> — the optimiser plans it and the simulation checks it; <i>simulation</i> — an outcome (residents satisfied, organisations, participation, needs served, co-building) no money buys directly, judged by the simulation only; <i>plan and simulation</i> — the plan buys the part it can (a necessary condition), the simulation judges the rest.": "<b>评估方式</b>：<i>规划</i>——由优化模型规划、模拟检验；<i>模拟</i>——无法直接用钱买到的结果（居民满意、社会组织、参与、需求满足、共建），只由模拟判断；<i>规划与模拟</i>——规划购买能买到的部分（必要条件），其余由模拟判断。",
    }
)
ZH["; "] = "；"
ZH.update(
    {
        "Who pays": "费用由谁承担",
        "payer": "出资方",
        "city": "市财政",
        "total (yuan)": "合计（元）",
        "the city's own cost": "市财政自身承担的费用",
        "everyone's cost": "各出资方费用之和",
        "Budgets bound the city's own cost; the optimiser minimised {what}.": "预算约束的是市财政自身承担的费用；优化目标为{what}最小。",
        "funds": "工作经费",
        "training": "培训",
        "yuan paid into the communities' working funds": "拨入社区工作经费的金额",
        "training places (people trained × the kind's training cost); the simulation counts them in other": "培训名额（培训人数 × 该类人员培训费用）；模拟中计入“其他”",
    }
)

ZH.update(  # the confidence section (results/confidence.py)
    {
        "Confidence {p}": "置信水平 {p}",
        "The plan has not been simulated yet.": "该规划尚未模拟。",
        "<b>Reached</b>: every requirement is met with probability ≥ {p} in replications the planner did "
        "not learn from (out of sample).": "<b>已达到</b>：在规划未曾学习过的模拟重复中（样本外），每项要求的达成概率均 ≥ {p}。",
        "<b>Not reached</b> for {n} requirement(s) out of sample: ": "<b>未达到</b>：样本外有 {n} 项要求未达到：",
        "{target} ({kind}), year {year}: {p}": "{target}（{kind}），第 {year} 年：{p}",
        "{target} ({kind}), year {year}": "{target}（{kind}），第 {year} 年",
        "The planner could not tighten further: ": "规划无法再收紧：",
        "nothing left to tighten": "已无可收紧的余量",
        "at most {p} at any cost: {n} projects in {c} communities must each open within {m} months of the plan's "
        "start, each does with probability {e} (the model's construction lags and deferrals)": (
            "无论投入多少，至多 {p}：{c} 个社区的 {n} 个项目都须在规划开始后 {m} 个月内建成开放，"
            "每个项目做到的概率为 {e}（模型中的施工延误与推迟）"
        ),
        "at most {p} at any cost: {n} projects in {c} key communities must each open within {m} months of the plan's "
        "start, each does with probability {e} (the model's construction lags and deferrals)": (
            "无论投入多少，至多 {p}：{c} 个重点社区的 {n} 个项目都须在规划开始后 {m} 个月内建成开放，"
            "每个项目做到的概率为 {e}（模型中的施工延误与推迟）"
        ),
        "judged by the simulation only; the plan has no lever for it": "仅由模拟评判；规划没有可调的手段",
        "building it early was set aside: the capacity and budget go first to what can reach {p}": (
            "不再提前建设：建设能力和预算优先用于能够达到 {p} 的要求"
        ),
        "building it a further year early was set aside: the capacity and budget go first to what can reach {p}": (
            "不再再提前一年建设：建设能力和预算优先用于能够达到 {p} 的要求"
        ),
        "its further margins ({margins}) make the targets impossible (capacity or budget limits)": (
            "进一步的余量（{margins}）会使目标无法实现（建设能力或预算限制）"
        ),
        "every further margin makes the targets impossible (capacity or budget limits)": (
            "任何进一步的余量都会使目标无法实现（建设能力或预算限制）"
        ),
        "not met even on paper within the budget": "在预算内连规划上也无法满足",
        "still short after {n} rounds": "经过 {n} 轮后仍未达到",
        "No budget lifts the probability of meeting every target above {p}, whatever the plan: {why}.": (
            "无论预算多少、规划如何，全部目标同时达成的概率都不会超过 {p}：{why}。"
        ),
        "its margins stopped lifting it: {p} in sample, unchanged over the last {n} rounds": (
            "余量已不再提高其概率：样本内为 {p}，最近 {n} 轮未变"
        ),
        "a count of facilities opened in the year, where one that runs late counts in the next": (
            "按当年开放的设施计数，延期开放的计入下一年"
        ),
        "posts of {kind}": "{kind} 岗位",
        "training places of {kind}": "{kind} 培训名额",
        "a spare post of {kind}": "{kind} 备用岗位",
        "an earlier plan": "提前规划",
        "more communities": "增加社区",
        "more facilities opened": "多建设施",
        "none": "无",
        "Margins learned from the simulation: posts × {posts}; planned a year early: {early}; "
        "extra communities: {extra}.": "从模拟中学到的余量：岗位 × {posts}；提前一年规划：{early}；增加社区：{extra}。",
        "Training places per post: {train}; planned more than a year early: {early}.": (
            "每岗培训名额：{train}；提前一年以上规划（年数）：{early}。"
        ),
        "Extra facilities opened, for those that open late: {opened}.": "为防设施延期开放而多建：{opened}。",
        "Spare posts in each community held to a staff condition: {spare}.": "须满足人员条件的每个社区多设备用岗位：{spare}。",
        "The scenario's planning assumption of yearly attrition ({kinds}) was set aside: the margins "
        "above are learned from the simulation's own exits, which it would count twice.": "情景中关于每年人员流失的"
        "规划假设（{kinds}）未采用：上述余量已从模拟中的人员离职学得，再计入将重复计算。",
        "confidence": "置信水平",
        "total cost": "总费用",
        "premium": "溢价",
        "targets that drive it": "推高费用的目标",
        "no plan brings it to this level": "任何规划都无法达到该水平的要求",
        "A level can cost less than the one below it: requirements that no plan brings to the "
        "higher level give up their early building there, so that the capacity and budget go "
        "to the requirements that can reach it.": "较高置信水平的费用可能低于较低水平：任何规划都无法使其达到"
        "较高水平的要求，在该水平上不再提前建设，建设能力和预算优先用于能够达到该水平的要求。",
        "deterministic": "确定性规划",
        "* screened on {n} replications: an estimate": "* 仅经 {n} 次重复模拟初筛：估计值",
        "* Screened: each round of this level was judged on {n} in-sample replications, fewer than "
        "the chosen level's, so its cost is an estimate; the command “commplan plan --confidence {p}” judges it in full.": "* "
        "初筛：该水平每轮仅以 {n} 次样本内重复模拟判断，少于所选水平，其费用为估计值；"
        "命令“commplan plan --confidence {p}”会完整判断该水平。",
        "probability each requirement is met (planned confidence)": "每项要求的达成概率（规划置信水平）",
        "total cost ({currency})": "总费用（{currency}）",
        "{title}: the price of confidence": "{title}：置信水平的代价",
        "Total cost of the cheapest plan found at each confidence level (the chosen one in orange)": "各置信水平下找到的最低费用规划的总费用（所选水平为橙色）",
    }
)

ZH.update(  # what each target costs (issue 13) and the spending profile
    {
        "What each target costs": "各目标的费用",
        "Full cost: the total cost with the target minus the total cost without it (every year of it "
        "given up, found by re-solving). A marginal cost prices one unit more in one year; for a staged "
        "target it is often only the saving of doing the work a year later.": "全部费用：有该目标时的总费用减去没有该目标时的总费用"
        "（放弃其所有年份，重新求解得出）。边际成本是某一年多要求一个单位的代价；对分阶段目标而言，它往往只是把工作推迟一年所省下的钱。",
        "full cost (yuan)": "全部费用（元）",
        "full cost status": "全部费用状态",
        "marginal costs by year (yuan)": "逐年边际成本（元）",
        "share of the total": "占总额比例",
        "bounded": "有界",
        "not computed: time budget": "未计算：时间不足",
    }
)
