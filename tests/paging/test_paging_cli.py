"""`switchboard staff contact | policy paging | pager --once | page ack | page list`:
the commands a desk uses, each bad input one line with nothing written."""

from __future__ import annotations

import json

from console.store.db import Database
from tests.paging.conftest import run
from tests.paging.servers import JsonSink, SmtpSink


def test_page_ack_and_list_from_the_command_line(
    cli_desk: Database, capsys, smtp: SmtpSink, webhook: JsonSink
) -> None:
    code, out, err = run(
        capsys,
        "staff",
        "contact",
        "lena",
        "--email",
        "lena@x.test",
        "--notify",
        webhook.url,
        "--as",
        "lena",
    )
    assert (code, out) == (0, "lena: e-mail lena@x.test, notify json://\n"), err
    code, out, _ = run(
        capsys,
        "ticket",
        "new",
        "--customer",
        "Springfield",
        "--channel",
        "call",
        "--summary",
        "site down",
        "--contact",
        "Mayor Quimby",
        "--emergency",
        "--as",
        "dora",
    )
    rid = out.strip()
    code, out, err = run(capsys, "pager", "--once")
    assert out.startswith("escalated 0, handoffs 0, sent 2,"), err
    assert smtp.subjects()[0].startswith(f"EMERGENCY request {rid} Springfield")
    code, out, err = run(capsys, "page", "ack", rid, "--as", "lena")
    assert code == 0 and out.startswith("page 1 acknowledged by lena at "), err
    code, out, err = run(capsys, "page", "ack", rid, "--as", "dora")
    assert code == 1 and err.startswith(f"switchboard: request {rid} was acknowledged by lena")
    code, out, _ = run(capsys, "page", "list", "--json")
    lines = json.loads(out)
    assert [(x["channel"], x["state"], x["acked_by"]) for x in lines] == [
        ("email", "sent", "lena"),
        ("apprise", "sent", "lena"),
    ]
    code, out, _ = run(capsys, "page", "list")
    assert out.splitlines()[0].startswith(
        f"page 1 request {rid} Springfield step 0 -> lena email sent"
    )
    assert "; acked by lena at " in out and webhook.url not in out


def test_bad_input_is_one_line(cli_desk: Database, capsys) -> None:
    cases = [
        (["staff", "contact", "ari", "--notify", "nosuch://x", "--as", "ari"], "Apprise does not"),
        (["staff", "contact", "ari", "--email", "x", "--as", "ari"], "is not an e-mail address"),
        (["staff", "contact", "abe", "--email", "a@b.cd", "--as", "ari"], "only their own"),
        (["page", "ack", "--as", "ari"], "give a request number or --page ID"),
        (["page", "ack", "99", "--as", "ari"], "no page about request 99"),
        (["policy", "paging", "timeout", "0", "--reason", "x", "--as", "lena"], "1 to 1440"),
        (
            ["policy", "paging", "steps", "repeat,call-mom", "--reason", "x", "--as", "lena"],
            "paging.steps[1]: 'call-mom' is not one of",
        ),
        (["policy", "paging", "timeout", "5", "--reason", "x", "--as", "ari"], "needs a lead"),
    ]
    for args, expected in cases:
        code, out, err = run(capsys, *args)
        assert code != 0 and out == "", args
        assert err.startswith("switchboard: ") and expected in err and err.count("\n") == 1, err


def test_a_lead_changes_the_escalation_policy(cli_desk: Database, capsys) -> None:
    code, out, err = run(
        capsys,
        "policy",
        "paging",
        "steps",
        "desk-lead,repeat",
        "--reason",
        "small desk",
        "--as",
        "lena",
    )
    assert code == 0, err
    run(capsys, "policy", "paging", "timeout", "5", "--reason", "faster", "--as", "lena")
    code, out, _ = run(capsys, "policy", "show")
    assert "paging ack within 5 min, then desk-lead, repeat" in out
