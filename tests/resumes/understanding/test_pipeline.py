"""Resume understanding on real fixture resumes and on crafted text."""

import datetime as dt

import pytest

from resumes.extract import extract_text, sniff_content_type
from resumes.understanding.dates import years_of_experience
from resumes.understanding.pipeline import get_nlp, understand, verb_led
from resumes.understanding.sections import find_sections, list_items
from resumes.understanding.vocabulary import canonical_skill, occupation_for_title
from tests.conftest import FIXTURES


def _read(name):
    data = (FIXTURES / name).read_bytes()
    return extract_text(data, sniff_content_type(data))


@pytest.mark.parametrize("name", ["02-Desktop_Support.docx", "02-Desktop_Support.pdf"])
def test_the_desktop_support_resume_reads_as_a_person_reads_it(name):
    p = understand(_read(name))
    assert p.name == "Ebony Moore"
    assert p.email == "emoore@email.com"
    assert p.phone == "873-555-0156"
    assert p.location == "Little Rock, AR"
    assert "Desktop Support Technician" in p.titles
    assert {"code": "15-1232.00", "title": "Computer User Support Specialists"} in p.occupations
    assert "Meyer Tech Inc" in p.companies
    assert [(e.degree, e.institution) for e in p.education] == [
        ("M.S.", "Waldorf College"),
        ("B.S.", "Haverford University"),
    ]
    assert "customer service" in p.canonical_skills
    assert set(p.sections) >= {"summary", "experience", "education", "skills"}
    assert p.years_experience is not None and 10 < p.years_experience < 30


def test_pdf_and_docx_of_one_resume_give_the_same_profile():
    a, b = understand(_read("01-Accountant.docx")), understand(_read("01-Accountant.pdf"))
    assert (a.name, a.email, a.phone, a.location) == (b.name, b.email, b.phone, b.location)
    # The rules read the same titles from both files; the trained model may find one more in either layout.
    assert (
        understand(_read("01-Accountant.docx"), ner=None).titles
        == understand(_read("01-Accountant.pdf"), ner=None).titles
    )
    assert len(set(a.titles) & set(b.titles)) >= 3
    assert set(a.canonical_skills) == set(b.canonical_skills)


def test_an_anonymised_kaggle_resume_yields_its_degrees_and_institutions():
    p = understand(_read("it-27295996.pdf"))
    assert p.name is None  # the data set removed names
    assert {(e.degree, e.institution, e.year) for e in p.education} >= {
        ("Associate of Applied Science", "Hennepin Technical College", 2010)
    }
    assert "Structured query language SQL" in p.canonical_skills


def test_skill_spans_point_at_the_text_they_name():
    text = "Skills\nPython, JS, Javascript, k8s and MS Excel; also Postgres."
    p = understand(text)
    for s in p.skills:
        assert text[s.start : s.end] == s.name
    assert [s.canonical for s in p.skills] == [
        "Python",
        "JavaScript",
        "JavaScript",
        "Kubernetes",
        "Microsoft Excel",
        "PostgreSQL",
    ]


@pytest.mark.parametrize(
    ("surface", "canonical"),
    [
        ("JS", "JavaScript"),
        ("javascript", "JavaScript"),
        ("Excel", "Microsoft Excel"),
        ("SQL", "Structured query language SQL"),
        ("PowerPoint", "Microsoft PowerPoint"),
        ("customer service", "customer service"),
    ],
)
def test_synonyms_map_to_one_canonical_skill(surface, canonical):
    assert canonical_skill(surface) == canonical


def test_a_skill_is_shown_once_under_one_name():
    from resumes.models import profile_skills
    from search.templatetags.reasons import skills_shown

    profile = {"skills": [{"canonical": "SAP"}, {"canonical": "SAP software"}, {"name": "Excel"}]}
    assert profile_skills(profile) == ["SAP", "Excel"]
    assert skills_shown(["SAP software", "Microsoft Excel", "SAP"]) == ["SAP", "Microsoft Excel"]


def test_ordinary_words_are_not_taken_for_products():
    p = understand("Summary\nI had access to every project and could meet any deadline in a word.")
    assert not {"Microsoft Access", "Microsoft Project", "Google Meet", "Microsoft Word"} & set(p.canonical_skills)


def test_job_titles_map_to_onet_occupations():
    assert occupation_for_title("Senior Software Engineer").code == "15-1252.00"
    assert occupation_for_title("Registered Nurse").code == "29-1141.00"
    assert occupation_for_title("Sous Chef").code == "35-1011.00"
    assert occupation_for_title("zzz qqq") is None


TODAY = dt.date(2026, 11, 15)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Jan 2015 - Dec 2016", 2.0),
        ("January 2015 – Present", 11.9),  # Present counts to today
        ("03/2018 - 02/2020\n06/2019 - 05/2021", 3.2),  # overlap counted once: Mar 2018 - May 2021
        ("2010 - 2012\n2011 to 2013", 4.0),  # bare years: Jan 2010 - Dec 2013
        ("Sept 2020 to current", 6.2),
        ("Mar 2019 - Mar 2019", 0.1),
        ("Born 1990, no ranges here", None),
        ("2030 - 2020", None),  # backwards: a misread, ignored
    ],
)
def test_years_of_experience_from_date_ranges(text, years):
    assert years_of_experience(text, today=TODAY) == years


def test_sections_are_found_by_their_headers():
    text = "Jane Doe\nPROFESSIONAL SUMMARY\nNurse.\nWork Experience:\nICU 2010-2020\nEducation\nBSN\nSkills\ntriage\n"
    sections = find_sections(text)
    assert list(sections) == ["summary", "experience", "education", "skills"]
    start, end = sections["experience"]
    assert text[start:end].startswith("Work Experience:") and "ICU" in text[start:end]


def test_a_resume_without_sections_still_yields_a_profile():
    p = understand("just some words about me, I like baking bread and fixing bikes since 2012 - 2015")
    assert p.sections == {}
    assert p.years_experience == 4.0
    assert p.to_dict()["skills"] is not None


def test_a_skills_section_keeps_what_the_vocabulary_does_not_know_as_written():
    text = "Jane Doe\nSkills\nFavourite kit: Linux, Windows\n• Team player & Zorblax scripting\n"
    p = understand(text, ner=None)
    by_name = {s.name: s for s in p.skills}
    assert by_name["Windows"].canonical == "Microsoft Windows"
    assert by_name["Linux"].canonical == "Linux"
    assert by_name["Zorblax scripting"].canonical == "Zorblax scripting"  # declared, kept as written
    assert "Favourite kit" not in by_name  # a category label, not a skill
    for s in p.skills:
        assert text[s.start : s.end] == s.name


def test_product_short_forms_count_only_where_written_as_names():
    assert understand("Skills\nWindows, Splunk, XML, SVN", ner=None).canonical_skills == [
        "Microsoft Windows",
        "Splunk Enterprise",
        "Extensible markup language XML",
        "Apache Subversion SVN",
    ]
    prose = understand("Summary\nI cleaned the windows and wrote xml by hand.", ner=None)
    assert not {"Microsoft Windows", "Extensible markup language XML"} & set(prose.canonical_skills)


def test_a_profile_link_cut_by_a_line_break_is_joined():
    p = understand("Jane Doe\nIndeed: indeed.com/r/Jane-\nDoe/1a2b3c4d\nSkills\nPython\n", ner=None)
    assert "indeed.com/r/Jane-Doe/1a2b3c4d" in p.links


def test_list_items_cut_a_skills_block_with_offsets():
    text = (
        "SKILLS\nDatabase (Less than\n1 year), HTML (2 years)\n"
        "• Languages: Java &amp; J2EE, PHP and C#\nTeam player. 2008\n"
    )
    items = list_items(text)
    assert [i for i, _, _ in items] == ["Database", "HTML", "Java", "J2EE", "PHP", "C#", "Team player"]
    assert all(text[a:b] == i for i, a, b in items)


def test_a_listed_skill_keeps_its_own_name_when_the_vocabulary_knows_it_only_in_capitals():
    # "HRIS" is Oracle HRIS only in capitals; "EPIC" (an O*NET erosion model) is an ordinary word in
    # capitals and not read as the model at all, so "Epic" in a nurse's list is the records product.
    assert canonical_skill("HRIS") == "Oracle HRIS" and canonical_skill("Hris") is None
    assert canonical_skill("EPIC") is None and canonical_skill("Epic") is None
    text = "Maria Lopez\nBoston, MA\nRegistered Nurse\nSkills\nPatient care, Epic, SQL\n"
    skills = {s.name: s.canonical for s in understand(text).skills}
    assert skills["Epic"] == "Epic" and skills["SQL"] == "Structured query language SQL"


def test_words_of_titles_and_headings_are_not_read_as_products_or_initialisms():
    # Titles and shouted headings named O*NET products and initialisms, and ESCO's one-word alternative
    # labels stood for broader skills: each was read as a skill of many Kaggle resumes.
    text = (
        "FINANCE DIRECTOR\nProject Manager and Office Assistant, then Graphic Designer.\n"
        "LEAD ACCOUNTANT\nLANGUAGE ARTS\nDesign of banking reports for the press; call center schedule.\n"
    )
    read = set(understand(text, ner=None).canonical_skills)
    assert not read & {
        "Adobe Director",
        "Microsoft Project",
        "Microsoft Office",
        "Oracle Designer",
        "United Nations Food and Agriculture Organization Livestock and Environment Toolbox LEAD",
        "Automated radar terminal systems ARTS",
        "think creatively",
        "economics",
        "journalism",
        "Computer Assisted Language Learning",
        "manage time",
        "report facts",
    }
    # Nor do the capitalised words that name a product only after its vendor or in a skills list.
    prose = understand("Summary\nFront Office and Project Development; led Teams with Patient Access.", ner=None)
    assert not {"Microsoft Office", "Microsoft Project", "Microsoft Teams", "Microsoft Access"} & set(
        prose.canonical_skills
    )
    assert "Microsoft Project" in understand("Summary\nSchedules kept in MS Project.", ner=None).canonical_skills
    # Tools named by an ordinary word ("Analyze", "REDUCE", "Route", "Chef") count only in a skills list.
    sous = understand("Summary\nSous Chef. Analyze food costs, reduce waste, route orders, act fast.", ner=None)
    assert not {"Analyze", "REDUCE", "Route", "Chef", "Act!"} & set(sous.canonical_skills)
    devops = understand("Skills\nChef, Puppet, Ansible", ner=None)
    assert "Chef" in devops.canonical_skills
    # The products and skills themselves are still read where they are named.
    listed = understand("Skills\nMicrosoft Project, Project, Adobe Director, HR, bookkeeping", ner=None)
    assert {"Microsoft Project", "Adobe Director", "human resource management", "accounting"} <= set(
        listed.canonical_skills
    )


def test_a_piece_of_the_address_is_not_a_job_title():
    profile = understand("Maria Lopez\nBoston, MA\nmaria@example.com\nRegistered Nurse\nExperience\n")
    assert profile.location == "Boston, MA"
    assert "MA" not in profile.titles and "Registered Nurse" in profile.titles


INDEED_LAYOUT = """Ravi Kumar
Associate Consultant - State Street

Pune, Maharashtra - Email me on Indeed: indeed.com/r/Ravi-Kumar/0123456789abcdef

WORK EXPERIENCE

Software Engineer

Arrow Electronics Inc -  Pune, Maharashtra -

August 2011 to March 2012

Built the sales workbench in Java.

Technical Lead

Pune -

April 2012 to Present

Tools: SAP FI -

2013 to 2014

EDUCATION

Bachelor of Engineering
Pune University - Pune, Maharashtra
"""


@pytest.mark.parametrize("ner", [None, "shipped"])
def test_employers_are_read_from_the_layout(ner):  # type: ignore[no-untyped-def]
    """The headline's "Title - Employer" and the line between a title and its dates name employers,
    with or without the trained model; a place or a skill on that line does not."""
    profile = understand(INDEED_LAYOUT) if ner else understand(INDEED_LAYOUT, ner=None)
    assert "State Street" in profile.companies
    assert "Arrow Electronics Inc" in profile.companies
    assert "Pune" not in profile.companies and "SAP FI" not in profile.companies


def test_a_verb_at_a_line_start_is_told_from_a_name_by_reading_that_line_and_the_one_above():
    """The tagger reads only the lines of employer candidates, not the whole resume (a fifth of the time)."""
    nlp, _ = get_nlp()
    snippets = [
        ("Prepare bank statements", 0),
        ("Wells Fargo Bank", 0),
        ("Senior Accountant\nCoordinated Visual Merchandising", 18),
        ("Senior Accountant\nState Street Corporation", 18),
    ]
    assert verb_led(nlp, snippets) == [True, False, True, False]
    assert verb_led(nlp, []) == []


def test_schools_labelled_fields_and_products_are_not_job_titles():  # type: ignore[no-untyped-def]
    text = (
        "Asha Rao\nWORK EXPERIENCE\nRole: Business Analyst\nClient: Dollar General\nSQL Loader\n"
        "Andhra University\nState Board\nMarch 2015 to Present\n"
    )
    titles = understand(text).titles
    assert "Business Analyst" in titles
    for wrong in ("Client: Dollar General", "Role: Business Analyst", "SQL Loader", "Andhra University", "State Board"):
        assert wrong not in titles


def test_the_headline_is_read_as_the_title_it_names():  # type: ignore[no-untyped-def]
    # The line under the name says what the person does, in the forms headlines take.
    cases = {
        "CONSULTANT": "Consultant",  # one generic occupation word
        "DIRECTOR OF ENGINEERING": "Director of Engineering",  # a title followed by what it directs
        "FRONT DESK CLERK (FEE BASIS, VA MEDICAL CENTER)": "Front Desk Clerk",  # an aside
        "CONSERVATION TECHNICIAN/MAINTENANCE": "Conservation Technician",  # alternatives
    }
    for headline, title in cases.items():
        profile = understand(f"Maria Lopez\n{headline}\nSummary\nTen years of work.\n")
        assert profile.titles[:1] == [title], headline
        assert profile.name == "Maria Lopez"
    # Section headers, the name and the address line are not titles, read as a headline or not.
    profile = understand("Maria Lopez\nAustin, TX\nPROFESSIONAL SUMMARY\nSkills\nExcel, payroll\n")
    assert profile.titles == []
    assert profile.location == "Austin, TX"
    # An experience line still needs a known title: one generic word there is a heading or a word.
    later = understand("Maria Lopez\nSummary\nTen years.\nExperience\nConsultant\nMarch 2015 to Present\n")
    assert "Consultant" not in later.titles


def test_a_shouted_headline_with_a_comma_is_a_title_not_a_place():  # type: ignore[no-untyped-def]
    profile = understand("SUPERVISOR, ACCOUNTANT\nProfessional Summary\nTen years of accounts payable.\n")
    assert profile.location is None
    assert profile.titles[:1] == ["Supervisor"]
