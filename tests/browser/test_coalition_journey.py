"""Two organisations form a coalition, write the proposal, submit it and see the receipt.

Elements are found by ids, names and form actions, never by their (translated) text.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PROVIDER, sign_in
from tests.documents.samples import make_pdf

pytestmark = pytest.mark.browser

CHALLENGE = "Thuiszitters terug naar school"  # the demo's open challenge
# Neither organisation is in a coalition for it in the demo data (one coalition each).
LEAD = PROVIDER  # anna@welzijnvoorbeeldstad.nl, Welzijn Voorbeeldstad
PARTNER = "lisa@werkplaatsvooruit.nl"
PARTNER_ORGANISATION = "Werkplaats Vooruit"
NAME = "Thuis, school en werk"


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click('form[action="/logout"] button')
    assert page.locator('form[action="/logout"]').count() == 0


def start_coalition(page) -> str:
    page.goto("/challenges?status=open")
    with page.expect_navigation():
        page.locator("#results .card h3 a", has_text=CHALLENGE).click()
    page.fill("#f-name", NAME)
    page.fill("#f-start-role", "penvoerder, welzijnswerk")
    page.fill("#f-start-contribution", "Coördinatie en gezinscoaches in de wijk.")
    with page.expect_navigation():
        page.click('form[action$="/coalitions"] button[type=submit]')
    found = re.search(r"/coalitions/([0-9a-f-]{36})$", page.url)
    assert found, f"starting the coalition led to {page.url}"
    assert page.locator("h1").inner_text() == NAME
    return found.group(1)


def invite_by_name(page, coalition_id: str) -> None:
    """Search with htmx (the page is not reloaded), then invite from the results."""
    page.evaluate("window.notReloaded = true")
    page.fill("#f-q", "werkplaats")
    with page.expect_response(
        lambda r: "q=werkplaats" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.press("#f-q", "Enter")
    result = page.locator("#invite_results li", has_text=PARTNER_ORGANISATION)
    result.wait_for()
    assert page.evaluate("window.notReloaded") is True, "the search reloaded the whole page"
    expect(page.locator("#invite-status")).not_to_be_empty()
    with page.expect_navigation():
        result.locator('form[action$="/invitations"] button').click()
    assert page.url.endswith(f"/coalitions/{coalition_id}#members")
    member = page.locator("#members li", has_text=PARTNER_ORGANISATION)
    assert member.locator(".badge-member-invited").count() == 1


def accept_invitation(page, coalition_id: str) -> None:
    page.click('nav a[href="/coalitions"]')
    page.wait_for_url("**/coalitions")
    form = page.locator(f'form[action="/coalitions/{coalition_id}/response"]')
    form.locator("input[name=role]").fill("leerwerkplekken")
    form.locator("textarea[name=contribution]").fill("Werkervaring voor oudere leerlingen.")
    with page.expect_navigation():
        form.locator("button[value=accept]").click()
    assert page.url.endswith(f"/coalitions/{coalition_id}")
    member = page.locator("#members li", has_text=PARTNER_ORGANISATION)
    assert member.locator(".badge-member-accepted").count() == 1


def write_proposal(page, coalition_id: str) -> None:
    page.goto(f"/coalitions/{coalition_id}/proposal")
    assert page.locator("#missing .problems li").count() > 0
    assert page.locator("button[name=action][value=submit]").is_disabled()

    page.set_input_files(
        "#f-file",
        {"name": "Plan van aanpak.pdf", "mimeType": "application/pdf", "buffer": make_pdf("Plan")},
    )
    with page.expect_navigation():
        page.click('form[action$="/attachments"] button[type=submit]')
    assert page.locator('#documents a[href*="/proposal/attachments/"]').count() == 1
    # The Remove button reads as a link: coloured text on the page's white, not white on white.
    remove = page.locator('#documents form[action$="/remove"] button')
    colour = remove.evaluate("b => getComputedStyle(b).color")
    assert colour not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), colour
    assert remove.evaluate("b => getComputedStyle(b).backgroundColor") == "rgba(0, 0, 0, 0)"

    page.fill("#f-approach", "Eén gezinscoach per thuiszitter, een leerwerkplek als doel.")
    page.fill("#f-theory_of_change", "Wie een doel buiten school heeft, gaat weer naar school.")
    targets = page.locator('input[name^="target-"]')
    assert targets.count() > 0
    for index in range(targets.count()):
        targets.nth(index).fill("55")
    shares = page.locator('input[name^="budget-"]')
    assert shares.count() == 2  # both members have accepted
    for index in range(shares.count()):
        shares.nth(index).fill("250.000")
    requirements = page.locator('#requirements input[type=radio][value="yes"]')
    for index in range(requirements.count()):
        requirements.nth(index).check()
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.locator("#missing .problems").count() == 0
    assert page.locator("#f-approach").input_value().startswith("Eén gezinscoach")
    assert page.locator("button[name=action][value=submit]").is_enabled()


def test_two_organisations_form_a_coalition_and_submit(pages) -> None:
    page = pages.new(user=LEAD)
    coalition_id = start_coalition(page)
    invite_by_name(page, coalition_id)
    sign_out(page)

    partner = pages.new(user=PARTNER)
    accept_invitation(partner, coalition_id)

    sign_in(page, LEAD)
    write_proposal(page, coalition_id)
    page.check("#f-confirm")  # the confirmation step
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    assert re.search(rf"/coalitions/{coalition_id}/receipts\?submitted=1#v1$", page.url), page.url
    assert page.locator("#submitted").count() == 1  # and it says it was submitted
    receipt = page.locator("#v1")
    assert receipt.locator(".badge-submission-current").count() == 1
    assert re.fullmatch(r"[0-9a-f]{64}", receipt.locator("code.hash").inner_text())
    assert re.search(r"UK-\d+-[0-9A-F]{10}", receipt.inner_text())

    # The partner sees the same receipt; the public sees nothing of the coalition.
    partner.goto(f"/coalitions/{coalition_id}/receipts")
    assert (
        partner.locator("#v1 code.hash").inner_text() == receipt.locator("code.hash").inner_text()
    )
    outsider = pages.new()
    outsider.goto(f"/coalitions/{coalition_id}/receipts")
    assert "/login" in outsider.url  # asked to sign in, before anything is looked up
    assert receipt.locator("code.hash").inner_text() not in outsider.content()
    assert not pages.errors, pages.errors
