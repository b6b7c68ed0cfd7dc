import pytest

from xeco.matching import Matcher

PROFILES = [
    "Lithium-ion battery cathode materials and battery recycling",
    ["Deep learning for protein folding", "Neural networks predict protein structure"],
    {
        "title": "锂电池回收",
        "keywords": ["锂电池", "新能源"],
        "summary": "我们研究锂电池材料的回收和再利用技术",
        "publications": ["碳中和背景下的新能源汽车电池管理"],
    },
    {
        "title": "Smart manufacturing",
        "keywords": ["robotics"],
        "summary": "Industrial robots and machine vision for 智能制造 production lines",
        "publications": [{"title": "Robot grasping", "abstract": "Vision-based grasping."}],
    },
    "Graphene sensors for water quality monitoring",
]


@pytest.fixture(scope="session")
def fitted():
    return Matcher().fit(PROFILES)
