"""Checks for ex02: `.venv/bin/course check 04 ex02` runs them against your task."""

from pydantic import BaseModel, ConfigDict, ValidationError

from course.exercises import load_exercise

task = load_exercise(__file__)


class Author(BaseModel):
    name: str


class Book(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    authors: list[Author]


def errors_for(data: dict) -> list[dict]:
    try:
        Book.model_validate(data)
    except ValidationError as error:
        return error.errors()
    raise AssertionError("the data was valid")


def test_the_problem_has_the_rfc_9457_members():
    problem = task.validation_problem(errors_for({"title": "Dune", "authors": [{}]}))
    assert problem["type"] == "https://bookshop.example/problems/validation-error"
    assert problem["title"] == "Unprocessable Content"
    assert problem["status"] == 422
    assert problem["detail"] == "1 invalid field"


def test_every_error_gets_a_pointer_into_the_body():
    problem = task.validation_problem(errors_for({"authors": [{"name": "A"}, {}], "isbn": 1}))
    assert sorted(error["pointer"] for error in problem["errors"]) == [
        "#/authors/1/name",
        "#/isbn",
        "#/title",
    ]
    assert problem["detail"] == "3 invalid fields"
    assert all(error["detail"] for error in problem["errors"])


def test_fastapis_body_prefix_is_left_out():
    errors = [{"loc": ("body", "title"), "msg": "Field required", "type": "missing"}]
    assert task.validation_problem(errors)["errors"] == [
        {"pointer": "#/title", "detail": "Field required"}
    ]


def test_slash_and_tilde_in_a_key_are_escaped():
    errors = [{"loc": ("body", "a/b", "c~d"), "msg": "bad", "type": "x"}]
    assert task.validation_problem(errors)["errors"][0]["pointer"] == "#/a~1b/c~0d"


def test_an_error_about_the_whole_body_points_at_the_whole_document():
    errors = [{"loc": ("body",), "msg": "Input should be an object", "type": "model_type"}]
    # RFC 6901: "" is the whole document, so "#"; "#/" would be a member named ""
    assert task.validation_problem(errors)["errors"][0]["pointer"] == "#"
    assert task.validation_problem(errors)["detail"] == "1 invalid field"
