"""The Flask app's forms (Flask-WTF: each carries a CSRF token) and its one small template.

Every state-changing request is a POST from one of these forms, so CSRFProtect can refuse any
POST whose token is missing or belongs to another session; each refusal is an audit line.
"""

from __future__ import annotations

from auth_audit import audit
from auth_passwords import MAX_LENGTH
from flask import Flask, render_template_string, request
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

PAGE = """<!doctype html>
<title>{{ title }}</title>
<h1>{{ title }}</h1>
{% for message in get_flashed_messages() %}<p class="message">{{ message }}</p>{% endfor %}
{% if form %}<form method="post">{{ form.hidden_tag() }}
{% for field in form if field.widget.input_type != "hidden" %}
<label>{{ field.label }} {{ field() }}</label>{% endfor %}
<button>{{ title }}</button></form>{% endif %}
{% if body %}<p>{{ body }}</p>{% endif %}
"""

# lengths bound every field, so an oversized input is refused before any hashing
email_field = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


def password_field(label: str) -> PasswordField:
    """Return a required password field with the policy's upper bound."""
    return PasswordField(label, validators=[DataRequired(), Length(max=MAX_LENGTH)])


class CredentialsForm(FlaskForm):
    """Log in, or register: an email and a password."""

    email = email_field
    password = password_field("Password")


class EmailForm(FlaskForm):
    """Ask for a password-reset link."""

    email = email_field


class NewPasswordForm(FlaskForm):
    """Choose a new password with a reset token."""

    token = StringField("Token", validators=[DataRequired(), Length(max=100)])
    password = password_field("New password")


class ChangePasswordForm(FlaskForm):
    """Change the password: the current one is asked again."""

    current_password = password_field("Current password")
    password = password_field("New password")


class ButtonForm(FlaskForm):
    """A form with only its CSRF token: log out, log out everywhere."""


def audit_csrf_refusals(app: Flask) -> None:
    """Log every POST CSRFProtect refuses, then answer 400 with what went wrong."""

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError):
        audit("bad_request", path=request.path, ip=request.remote_addr or "-", reason="csrf")
        page = render_template_string(PAGE, title="Refused", form=None, body=error.description)
        return page, 400
