"""Dictionary data every banner starts with (Uxin Banner's lists), in both languages.
`flask --app app seed-dictionaries` loads it into a new database; it is idempotent and
never overwrites what administrators have changed."""

# (code, Chinese, traditional Mongolian)
SERVICE_CATEGORIES = [
    ("S01", "征地拆迁安置", None),
    ("S02", "邻里纠纷", None),
    ("S03", "土地确权", None),
    ("S04", "法律援助", None),
    ("S05", "草原纠纷", None),
    ("S06", "征地补偿", None),
    ("S07", "宅基地纠纷", None),
    ("S08", "劳资纠纷与欠薪", None),
    ("S09", "矿区损害补偿", None),
    ("S10", "供水用水", None),
    ("S11", "婚姻家庭纠纷", None),
    ("S12", "社会保障与低保", None),
    ("S13", "医疗卫生", None),
    ("S14", "教育", None),
    ("S15", "村务公开与集体资产", None),
    ("S16", "土地承包经营", None),
    ("S17", "林权纠纷", None),
    ("S18", "住房与危房改造", None),
    ("S19", "道路交通与基础设施", None),
    ("S20", "环境污染", None),
    ("S21", "牲畜损害与放牧纠纷", None),
    ("S22", "惠农补贴发放", None),
]

# (code, Chinese, Mongolian, guidance Chinese)
EXCLUDED_CATEGORIES = [
    ("X01", "已经三级终结的信访事项", None,
     "该事项已经复查、复核终结，不再受理；可向相关部门了解已作出的处理意见。"),
    ("X02", "已经或依法应当通过诉讼、仲裁、行政复议解决的事项", None,
     "请依法向人民法院起诉、向仲裁机构申请仲裁或申请行政复议，可申请法律援助。"),
    ("X03", "涉及国家秘密、商业秘密或个人隐私的事项", None,
     "请向有权处理的机关依法反映。"),
    ("X04", "违反法律法规或者不属于行政机关职权范围的事项", None,
     "请向有管辖权的机关或组织反映。"),
]

# (code, Chinese, Mongolian, national form)
CHANNELS = [
    ("visit", "来访", None, "visit"),
    ("letter", "来信", None, "letter"),
    ("phone", "电话与热线", None, "phone"),
    ("online", "网上与扫码自助", None, "online"),
    ("talk_room", "村民说事室", None, "visit"),
    ("grid", "网格排查发现", None, "visit"),
    ("reception", "领导接访", None, "visit"),
    ("mailbox", "领导信箱", None, "mailbox"),
]

# (code, Chinese, Mongolian, stationing)
DEPARTMENTS = [
    ("HRSS", "人力资源和社会保障局", None, "resident"),
    ("AGRI", "农牧和科技局", None, "resident"),
    ("JUST", "司法局", None, "resident"),
    ("COURT", "人民法院", None, "rotating"),
    ("LAND", "自然资源局", None, "resident"),
    ("HOUSE", "住房和城乡建设局", None, "rotating"),
    ("WATER", "水利局", None, "on_call"),
    ("HEALTH", "卫生健康委员会", None, "on_call"),
    ("MARKET", "市场监督管理局", None, "rotating"),
    ("CIVIL", "民政局", None, "on_call"),
    ("ENV", "生态环境分局", None, "on_call"),
    ("EDU", "教育局", None, "on_call"),
]
