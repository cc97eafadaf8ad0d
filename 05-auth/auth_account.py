"""The account pages of the Flask app: register, change the password, reset a lost one.

Each answer is the same whether or not the email has an account, so none of these pages
tells an attacker who is registered (and the slow work is the same, so the time says little).
A password change or reset ends every session and refresh token of the user (ASVS 3.3.3: an
attacker who had the old password loses what it gave them).
"""

from __future__ import annotations

from auth_audit import audit
from auth_devices import remember_device
from auth_forms import PAGE, ChangePasswordForm, CredentialsForm, EmailForm, NewPasswordForm
from auth_passwords import WeakPassword, check_policy, load_common_passwords
from auth_reset import (
    consume_reset_token,
    dummy_reset_work,
    forget_reset_tokens,
    issue_reset_token,
    reset_token_email,
)
from auth_session_ids import end_all_sessions, start_session
from auth_store import User, add_user, find_user
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template_string,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from sqlalchemy.orm import Session

account_pages = Blueprint("account_pages", __name__)

CHECK_EMAIL = "Thank you. If the address can be used, we have sent you an email."


def tools() -> dict:
    """Return the app's shared objects (settings, engine, Redis, passwords, outbox)."""
    return current_app.extensions["auth"]


def refused(title: str, form, message: str, status: int = 400):
    """Return the form again with one message a user can act on."""
    flash(message)
    return render_template_string(PAGE, title=title, form=form), status


@account_pages.after_request
def no_referrer_on_reset(response):
    """Keep the reset token, which is in the page's URL, out of Referer headers to other sites."""
    if request.endpoint == "account_pages.confirm_reset":
        response.headers["Referrer-Policy"] = "no-referrer"  # OWASP Forgot Password CS
    return response


@account_pages.route("/register", methods=["GET", "POST"])
def register():
    form = CredentialsForm()
    if not form.validate_on_submit():
        return render_template_string(PAGE, title="Register", form=form)
    email, password = form.email.data, form.password.data
    try:
        check_policy(password, email=email, common=load_common_passwords())
    except WeakPassword as error:
        return refused("Register", form, str(error))
    with Session(tools()["engine"]) as db:
        if find_user(db, email) is None:
            user = add_user(db, email, tools()["passwords"].hash(password))
            db.commit()
            audit("register", user_id=user.id)
            tools()["outbox"].append((email, "Welcome", "Your account is ready."))
        else:
            # the page says the same as for a new address, and the same slow hash is done,
            # so neither the words nor the time tell; the owner is told by email
            tools()["passwords"].hash(password)
            tools()["outbox"].append((email, "Sign-up attempt", "You already have an account."))
    flash(CHECK_EMAIL)
    return redirect(url_for("login"))


@account_pages.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template_string(PAGE, title="Change password", form=form)
    with Session(tools()["engine"]) as db:
        user = db.get(User, current_user.id)
        if not tools()["passwords"].verify(user.password_hash, form.current_password.data):
            return refused("Change password", form, "The current password is incorrect.", 401)
        try:
            check_policy(form.password.data, email=user.email, common=load_common_passwords())
        except WeakPassword as error:
            return refused("Change password", form, str(error))
        user.password_hash = tools()["passwords"].hash(form.password.data)
        forget_reset_tokens(db, user)  # a link mailed before the change must not undo it
        db.commit()
    end_all_sessions(current_app, current_user.id)
    start_session(current_app, current_user._get_current_object())  # this device stays in
    audit("password_change", user_id=current_user.id)
    flash("Password changed; every other session was logged out.")
    response = redirect(url_for("account"))
    remember_device(response, current_app, current_user.id)  # the other devices' cookies ended
    return response


@account_pages.route("/reset", methods=["GET", "POST"])
def request_reset():
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template_string(PAGE, title="Reset password", form=form)
    with Session(tools()["engine"]) as db:
        user = find_user(db, form.email.data)
        if user is not None:
            seconds = tools()["settings"].reset_token_seconds
            token = issue_reset_token(db, user, seconds=seconds)
            link = url_for("account_pages.confirm_reset", token=token, _external=True)
            tools()["outbox"].append((user.email, "Reset your password", link))
            audit("reset_requested", user_id=user.id, ip=request.remote_addr)
        else:
            dummy_reset_work(db)  # the same round trips: the time tells less (part 2b)
    flash(CHECK_EMAIL)  # the same answer for an unknown address
    return redirect(url_for("login"))


@account_pages.route("/reset/confirm", methods=["GET", "POST"])
def confirm_reset():
    form = NewPasswordForm(token=request.args.get("token", ""))
    if not form.validate_on_submit():
        return render_template_string(PAGE, title="Choose a new password", form=form)
    with Session(tools()["engine"]) as db:
        email = reset_token_email(db, form.token.data)  # for the "not your email" rule
        try:  # the policy first: a refused password must not use up the link
            check_policy(form.password.data, email=email, common=load_common_passwords())
        except WeakPassword as error:
            return refused("Choose a new password", form, str(error))
        user_id = consume_reset_token(db, form.token.data)
        if user_id is None:
            audit("reset_refused", ip=request.remote_addr)
            return refused("Choose a new password", form, "This link is invalid or has expired.")
        user = db.get(User, user_id)
        user.password_hash = tools()["passwords"].hash(form.password.data)
        db.commit()
    end_all_sessions(current_app, user_id)
    logout_user()  # this browser too: it would otherwise save its session back at the end
    session.clear()
    audit("reset_done", user_id=user_id)
    flash("Your password was changed. Log in with it.")
    response = redirect(url_for("login"))
    # this browser proved it reads the owner's mail: a known device from now on, so a lock
    # an attacker keeps renewing does not stop its next login (OWASP Authentication CS)
    remember_device(response, current_app, user_id)
    return response
