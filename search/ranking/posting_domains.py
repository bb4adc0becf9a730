"""The domain of a job posting, from what its poster declared: title, job functions, industries.

The 24 domains are the categories of the Kaggle resume data set (LiveCareer's browse
categories). Postings carry no such category, so it is read from three declarations, in
order of how specific they are:

1. the title: occupation words that name one domain ("Sous Chef", "Paralegal", "Pilot");
2. LinkedIn's job functions the poster picked ("Accounting/Auditing", "Legal", ...);
3. the company's industries ("Airlines and Aviation", "Farming", "Banking", ...).

A specific title rule ("Paralegal") decides alone; a generic one ("Engineer", "Sales",
"Marketing") votes with the functions and industries (title and functions weigh 2,
industries 1: "Infrastructure Engineer" in Information Technology is IT). The domain with
most votes wins, and a posting with no vote has no
domain ("" — e.g. a "General Business" function at a staffing agency). The tables below
are the mapping; `evaluate_ranking --labels` reads labels written from it by
`manage.py label_postings`, and indexing stores it as the posting's declared domain.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

DOMAINS = (
    "ACCOUNTANT",
    "ADVOCATE",
    "AGRICULTURE",
    "APPAREL",
    "ARTS",
    "AUTOMOBILE",
    "AVIATION",
    "BANKING",
    "BPO",
    "BUSINESS-DEVELOPMENT",
    "CHEF",
    "CONSTRUCTION",
    "CONSULTANT",
    "DESIGNER",
    "DIGITAL-MEDIA",
    "ENGINEERING",
    "FINANCE",
    "FITNESS",
    "HEALTHCARE",
    "HR",
    "INFORMATION-TECHNOLOGY",
    "PUBLIC-RELATIONS",
    "SALES",
    "TEACHER",
)

# Title words -> domain, tried in this order (the first rule whose pattern occurs in the title wins,
# so the more specific rules come first: "Software Engineer" is IT before "Engineer" is ENGINEERING).
TITLE_RULES: tuple[tuple[str, str, bool], ...] = (
    (r"\b(?:chef|sous|cook|culinary|kitchen|baker|pastry|line cook)\b", "CHEF", True),
    (r"\b(?:pilot|aviation|aircraft|avionics|flight|airframe|a&p|airport|aerospace)\b", "AVIATION", True),
    (
        r"\b(?:farm|agricultur\w*|agronom\w*|crop|livestock|greenhouse|harvest|dairy|ranch|horticultur\w*)\b",
        "AGRICULTURE",
        True,
    ),
    (r"\b(?:automotive|auto|vehicle|car wash|collision|dealership|tire)\b", "AUTOMOBILE", True),
    (r"\b(?:apparel|fashion|garment|sewing|seamstress|tailor|textile|merchandis\w*)\b", "APPAREL", True),
    (
        r"\b(?:attorney|lawyer|paralegal|legal|counsel|litigation|law clerk|advocate|compliance counsel)\b",
        "ADVOCATE",
        True,
    ),
    (r"\b(?:accountant|accounting|bookkeep\w*|auditor|audit|tax|payable|receivable|cpa|billing)\b", "ACCOUNTANT", True),
    (r"\b(?:teller|banker|bank|loan officer|mortgage|underwriter|credit analyst|branch manager)\b", "BANKING", True),
    (r"\b(?:financial|finance|investment|controller|treasury|portfolio|wealth|fp&a|actuar\w*)\b", "FINANCE", True),
    (
        r"\b(?:teacher|teaching|tutor|instructor|professor|educator|faculty|lecturer|paraprofessional|preschool)\b",
        "TEACHER",
        True,
    ),
    (
        r"\b(?:fitness|personal trainer|yoga|pilates|gym|athletic trainer|strength and conditioning|lifeguard)\b",
        "FITNESS",
        True,
    ),
    (
        r"\b(?:nurse|nursing|rn|lpn|cna|physician|medical|clinical|clinic|therapist|pharmac\w*|health|dental|"
        r"hospital|patient|caregiver|surgical|radiolog\w*|phlebotom\w*|psychiatr\w*|veterinar\w*|emt|paramedic)\b",
        "HEALTHCARE",
        True,
    ),
    (r"\b(?:recruit\w*|talent|human resources|hr|payroll|benefits|people operations|onboarding)\b", "HR", True),
    (r"\b(?:public relations|communications|pr|media relations|spokes\w*|publicist)\b", "PUBLIC-RELATIONS", True),
    (r"\b(?:graphic|designer|ux|illustrator|drafter)\b", "DESIGNER", True),
    (
        r"\b(?:software|developer|devops|it|network|systems? administrator|sysadmin|cyber\w*|security analyst|"
        r"data engineer|data scientist|cloud|database|programmer|help desk|desktop support|web|sre|qa|"
        r"machine learning|full stack|front end|back end|frontend|backend|salesforce|sap)\b",
        "INFORMATION-TECHNOLOGY",
        True,
    ),
    (r"\b(?:design|ui|cad)\b", "DESIGNER", False),
    (
        r"\b(?:digital|social media|seo|sem|content|video|media|marketing|producer|editor|copywriter|"
        r"brand|multimedia|animator|photographer)\b",
        "DIGITAL-MEDIA",
        False,
    ),
    (r"\b(?:artist|art|music\w*|painter|actor|dancer|curator|museum)\b", "ARTS", True),
    (
        r"\b(?:construction|carpenter|electrician|plumb\w*|superintendent|foreman|hvac|welder|mason|"
        r"roofer|estimator|laborer|excavat\w*|concrete|civil)\b",
        "CONSTRUCTION",
        True,
    ),
    (r"\b(?:engineer\w*|technician|machinist|mechanical|electrical|manufacturing|maintenance)\b", "ENGINEERING", False),
    (r"\b(?:business development|bdr|partnerships?)\b", "BUSINESS-DEVELOPMENT", True),
    (r"\b(?:consultant|consulting|advisory)\b", "CONSULTANT", False),
    (r"\b(?:call center|contact center|customer service|customer support|customer care|bpo)\b", "BPO", True),
    (r"\b(?:sales|account executive|account manager|retail|cashier|store)\b", "SALES", False),
)
_TITLE_RULES = tuple((re.compile(p, re.I), d, strong) for p, d, strong in TITLE_RULES)

# LinkedIn job functions (the 2023 release's skills.csv) -> domain. Functions that name no
# domain of their own (Management, Other, General Business, Analyst, ...) are left out.
FUNCTIONS = {
    "Accounting/Auditing": "ACCOUNTANT",
    "Legal": "ADVOCATE",
    "Art/Creative": "ARTS",
    "Business Development": "BUSINESS-DEVELOPMENT",
    "Consulting": "CONSULTANT",
    "Design": "DESIGNER",
    "Advertising": "DIGITAL-MEDIA",
    "Marketing": "DIGITAL-MEDIA",
    "Writing/Editing": "DIGITAL-MEDIA",
    "Engineering": "ENGINEERING",
    "Manufacturing": "ENGINEERING",
    "Production": "ENGINEERING",
    "Quality Assurance": "ENGINEERING",
    "Finance": "FINANCE",
    "Health Care Provider": "HEALTHCARE",
    "Human Resources": "HR",
    "Information Technology": "INFORMATION-TECHNOLOGY",
    "Public Relations": "PUBLIC-RELATIONS",
    "Sales": "SALES",
    "Customer Service": "BPO",
    "Education": "TEACHER",
    "Training": "TEACHER",
}

# LinkedIn industries -> domain, for the industries that name one.
INDUSTRIES = {
    "Accounting": "ACCOUNTANT",
    "Law Practice": "ADVOCATE",
    "Legal Services": "ADVOCATE",
    "Farming": "AGRICULTURE",
    "Dairy Product Manufacturing": "AGRICULTURE",
    "Food Production": "AGRICULTURE",
    "Retail Apparel and Fashion": "APPAREL",
    "Apparel & Fashion": "APPAREL",
    "Textile Manufacturing": "APPAREL",
    "Retail Luxury Goods and Jewelry": "APPAREL",
    "Museums, Historical Sites, and Zoos": "ARTS",
    "Musicians": "ARTS",
    "Artists and Writers": "ARTS",
    "Entertainment Providers": "ARTS",
    "Motor Vehicle Manufacturing": "AUTOMOBILE",
    "Automotive": "AUTOMOBILE",
    "Airlines and Aviation": "AVIATION",
    "Aviation and Aerospace Component Manufacturing": "AVIATION",
    "Aviation & Aerospace": "AVIATION",
    "Defense and Space Manufacturing": "AVIATION",
    "Banking": "BANKING",
    "Investment Banking": "BANKING",
    "Outsourcing and Offshoring Consulting": "BPO",
    "Restaurants": "CHEF",
    "Food and Beverage Services": "CHEF",
    "Construction": "CONSTRUCTION",
    "Civil Engineering": "CONSTRUCTION",
    "Residential Building Construction": "CONSTRUCTION",
    "Wholesale Building Materials": "CONSTRUCTION",
    "Business Consulting and Services": "CONSULTANT",
    "Design Services": "DESIGNER",
    "Architecture and Planning": "DESIGNER",
    "Advertising Services": "DIGITAL-MEDIA",
    "Broadcast Media Production and Distribution": "DIGITAL-MEDIA",
    "Online Audio and Video Media": "DIGITAL-MEDIA",
    "Media Production": "DIGITAL-MEDIA",
    "Marketing Services": "DIGITAL-MEDIA",
    "Industrial Machinery Manufacturing": "ENGINEERING",
    "Machinery Manufacturing": "ENGINEERING",
    "Automation Machinery Manufacturing": "ENGINEERING",
    "Engineering Services": "ENGINEERING",
    "Semiconductor Manufacturing": "ENGINEERING",
    "Financial Services": "FINANCE",
    "Investment Management": "FINANCE",
    "Capital Markets": "FINANCE",
    "Venture Capital and Private Equity Principals": "FINANCE",
    "Insurance": "FINANCE",
    "Wellness and Fitness Services": "FITNESS",
    "Spectator Sports": "FITNESS",
    "Recreational Facilities": "FITNESS",
    "Hospitals and Health Care": "HEALTHCARE",
    "Medical Practices": "HEALTHCARE",
    "Mental Health Care": "HEALTHCARE",
    "Veterinary Services": "HEALTHCARE",
    "Alternative Medicine": "HEALTHCARE",
    "Human Resources Services": "HR",
    "Human Resources": "HR",
    "IT Services and IT Consulting": "INFORMATION-TECHNOLOGY",
    "Software Development": "INFORMATION-TECHNOLOGY",
    "Technology, Information and Internet": "INFORMATION-TECHNOLOGY",
    "Computer and Network Security": "INFORMATION-TECHNOLOGY",
    "Information Technology & Services": "INFORMATION-TECHNOLOGY",
    "Computer Games": "INFORMATION-TECHNOLOGY",
    "Public Relations and Communications Services": "PUBLIC-RELATIONS",
    "Government Relations Services": "PUBLIC-RELATIONS",
    "Retail": "SALES",
    "Retail Groceries": "SALES",
    "Wholesale": "SALES",
    "Higher Education": "TEACHER",
    "Primary and Secondary Education": "TEACHER",
    "Education Administration Programs": "TEACHER",
    "E-Learning Providers": "TEACHER",
    "Education Management": "TEACHER",
    "Education": "TEACHER",
}
TITLE_VOTE, FUNCTION_VOTE, INDUSTRY_VOTE = 2, 2, 1


def title_domain(title: str) -> tuple[str, bool]:
    """The domain a title names, or "", and whether the title decides alone (a strong rule)."""
    for pattern, domain, strong in _TITLE_RULES:
        if pattern.search(title):
            return domain, strong
    return "", False


def posting_domain(title: str, job_functions: Iterable[str] = (), industries: Iterable[str] = ()) -> str:
    """The posting's domain by the rules above, or "" when nothing it declares names one."""
    by_title, strong = title_domain(title)
    if strong:
        return by_title
    votes: Counter[str] = Counter()
    if by_title:
        votes[by_title] += TITLE_VOTE
    for f in job_functions:
        if f in FUNCTIONS:
            votes[FUNCTIONS[f]] += FUNCTION_VOTE
    for i in industries:
        if i in INDUSTRIES:
            votes[INDUSTRIES[i]] += INDUSTRY_VOTE
    if not votes:
        return ""
    best = max(votes.values())
    return min(d for d, v in votes.items() if v == best)  # ties: alphabetical, so the label is repeatable
