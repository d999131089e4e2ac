"""The browser checks themselves: a page that breaks the Content-Security-Policy or misses a file must be noticed."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_browser_log_reports_csp_violations_script_errors_and_missing_files(page, browser_log):
    page.goto("/accounts/login/")
    assert browser_log.problems == []  # the login page itself loads cleanly
    page.evaluate(
        """() => {
            const inline = document.createElement("script");
            inline.textContent = "document.body.dataset.injected = 'yes'";
            document.body.append(inline);
            const missing = document.createElement("link");
            missing.rel = "stylesheet";
            missing.href = "/static/portal/no-such-file.css";
            document.head.append(missing);
            setTimeout(() => { throw new Error("boom from a page script"); }, 0);
        }"""
    )
    page.wait_for_timeout(300)
    page.evaluate("0")
    report = "\n".join(browser_log.problems)
    # The policy really blocked the inline script, and each kind of problem was written down.
    assert page.evaluate("document.body.dataset.injected") is None
    assert "Content Security Policy" in report
    assert "HTTP 404 for stylesheet" in report and "no-such-file.css" in report
    assert "uncaught script error: boom from a page script" in report
    browser_log.problems.clear()  # seen and checked: they must not fail this test
