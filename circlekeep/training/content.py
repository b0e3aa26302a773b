"""The modules that ship with Circlekeep (``content/<language>.toml``), and how a module's
reading is shown.

Each language's file holds the same modules and questions in the same order; the English
one is the reference. ``default_modules`` merges them into the shape ``Module`` stores and
refuses files that disagree, so that a translation can never change which answer is right.
"""

import tomllib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from markdown_it import MarkdownIt

CONTENT = Path(__file__).resolve().parent / "content"
SETS = ("initial", "refresher")
KINDS = ("choice", "scenario")


class ContentError(ValueError):
    pass


def _load(language):
    with open(CONTENT / f"{language}.toml", "rb") as file:
        return tomllib.load(file)["module"]


def _shape(module):
    return (module["key"], module["set"], module["hours"],
            [(q["kind"], q["answer"], len(q["choices"])) for q in module["question"]])


@lru_cache(maxsize=1)
def default_modules() -> tuple:
    """Every shipped module as ``{key, set, position, hours, texts, questions}``."""
    languages = [code for code, _name in settings.LANGUAGES]
    files = {language: _load(language) for language in languages}
    reference = files["en"]
    for module in reference:
        if module["set"] not in SETS:
            raise ContentError(f"module {module['key']}: unknown set {module['set']}")
        for question in module["question"]:
            if question["kind"] not in KINDS or not (
                    0 <= question["answer"] < len(question["choices"])):
                raise ContentError(f"module {module['key']}: a question is malformed")
    for language, modules in files.items():
        if [_shape(m) for m in modules] != [_shape(m) for m in reference]:
            raise ContentError(f"{language}.toml does not match en.toml's modules")
    positions = dict.fromkeys(SETS, 0)
    result = []
    for index, module in enumerate(reference):
        positions[module["set"]] += 1
        texts = {language: {"title": modules[index]["title"].strip(),
                            "reading": modules[index]["reading"].strip()}
                 for language, modules in files.items()}
        questions = [{"kind": question["kind"], "answer": question["answer"],
                      "texts": {language: {
                          "prompt": modules[index]["question"][number]["prompt"].strip(),
                          "choices": [c.strip() for c in
                                      modules[index]["question"][number]["choices"]],
                          "explanation":
                              modules[index]["question"][number]["explanation"].strip()}
                          for language, modules in files.items()}}
                     for number, question in enumerate(module["question"])]
        result.append({"key": module["key"], "set": module["set"],
                       "position": positions[module["set"]],
                       "hours": Decimal(str(module["hours"])), "texts": texts,
                       "questions": questions})
    return tuple(result)


# Readings are Markdown without raw HTML, links or images: text an admin edits must not
# become a script, a tracking pixel or a link somewhere else.
_markdown = MarkdownIt("commonmark", {"html": False}).disable(
    ["image", "link", "autolink", "html_inline", "html_block"])


def render_reading(text: str) -> str:
    """A reading as safe HTML."""
    return _markdown.render(text)
