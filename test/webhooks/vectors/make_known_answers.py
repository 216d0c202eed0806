#!/usr/bin/env python3
"""Writes known-answers.json: webhook signatures computed with Python's hmac, independently of the TypeScript code.

Run from the repository root:  python3 test/webhooks/vectors/make_known_answers.py > test/webhooks/vectors/known-answers.json
Scheme (api-facts.md): "sha256=" + hex(HMAC-SHA256(key=secret.encode("utf-8"), msg=timestamp.encode() + b"." + body)).
"""
import base64
import hashlib
import hmac
import json

SPEC_SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c"  # example secret in the API docs
OTHER_SECRET = "whsec_k3TQyhq2mPv8WdJ4cN7xLbR9sF1aZ6uE0gYoHiC5jXw"  # second documented example secret
TS = "1782982800"  # 2026-07-02T09:00:00Z
SPEC_BODY = (
    '{"type":"session.completed","id":"evt_01J2Z3K4M5N6P7Q8R9S0T1V2W3","created_at":"2026-07-02T09:00:00Z",'
    '"data":{"session_id":"9c5b94b1-35ad-49bb-b118-8e8fc24abf80","status":"completed","previous_status":"running"}}'
).encode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def vector(name, body, signature, timestamp=TS, secrets=(SPEC_SECRET,), now=None, expect=None, signed_with=None):
    v = {"name": name}
    try:
        v["body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        v["body_base64"] = base64.b64encode(body).decode()
    v.update({"timestamp": timestamp, "signature": signature, "secrets": list(secrets)})
    v["now"] = int(now if now is not None else int(timestamp))
    if signed_with is not None:
        v["signed_with"] = signed_with
    v["expect"] = expect
    return v


def ok(secret_index, event_type, known=True):
    return {"ok": True, "secretIndex": secret_index, "type": event_type, "known": known}


def fail(reason):
    return {"ok": False, "reason": reason}


UNICODE_BODY = (
    '{"type":"session.failed","id":"evt_unicode","created_at":"2026-07-02T09:00:00Z",'
    '"data":{"session_id":"9c5b94b1-35ad-49bb-b118-8e8fc24abf80","status":"échoué — 失敗 🚫","previous_status":null}}'
).encode("utf-8")
PING_BODY = b'{"type":"ping","id":"evt_01J2Z3M0PQ8W4XRB6TCY2FK9HN","created_at":"2026-07-02T09:05:00Z","data":{"webhook_id":"f47ac10b-58cc-4372-a567-0e02b2c3d479"}}'
FUTURE_BODY = b'{"type":"webhook.disabled","id":"evt_future","created_at":"2026-07-02T09:00:00Z","data":{"reason":"too many failures"}}'
PRETTY_BODY = json.dumps(json.loads(SPEC_BODY), indent=2).encode()
UNICODE_SECRET = "whsec_clé-🔑-секрет"
spec_sig = sign(SPEC_SECRET, TS, SPEC_BODY)
assert spec_sig == "sha256=733441107dcf5734599167a2cfd20c3cdf858828f8c2dc206071fca6a98638f4", spec_sig

vectors = [
    vector("the spec's example delivery", SPEC_BODY, spec_sig, expect=ok(0, "session.completed")),
    vector("the spec's example, receiver trusts [old, new], signed with old", SPEC_BODY, spec_sig, secrets=(SPEC_SECRET, OTHER_SECRET), expect=ok(0, "session.completed")),
    vector("signed with the new secret, receiver trusts [old, new]", SPEC_BODY, sign(OTHER_SECRET, TS, SPEC_BODY), secrets=(SPEC_SECRET, OTHER_SECRET), signed_with=OTHER_SECRET, expect=ok(1, "session.completed")),
    vector("signed with the new secret, receiver trusts only the old one", SPEC_BODY, sign(OTHER_SECRET, TS, SPEC_BODY), signed_with=OTHER_SECRET, expect=fail("signature_mismatch")),
    vector("unicode body (UTF-8 bytes are signed)", UNICODE_BODY, sign(SPEC_SECRET, TS, UNICODE_BODY), expect=ok(0, "session.failed")),
    vector("unicode secret (its UTF-8 bytes are the key)", PING_BODY, sign(UNICODE_SECRET, TS, PING_BODY), secrets=(UNICODE_SECRET,), expect=ok(0, "ping")),
    vector("ping event", PING_BODY, sign(SPEC_SECRET, TS, PING_BODY), expect=ok(0, "ping")),
    vector("unknown event type still verifies", FUTURE_BODY, sign(SPEC_SECRET, TS, FUTURE_BODY), expect=ok(0, "webhook.disabled", known=False)),
    vector("empty body: signature valid, payload not JSON", b"", sign(SPEC_SECRET, TS, b""), expect=fail("invalid_payload")),
    vector("bytes that are not UTF-8: signature valid, payload refused", b"\xff\xfe{}", sign(SPEC_SECRET, TS, b"\xff\xfe{}"), expect=fail("invalid_payload")),
    vector("leading-zero timestamp is signed verbatim", SPEC_BODY, sign(SPEC_SECRET, "0" + TS, SPEC_BODY), timestamp="0" + TS, now=int(TS), expect=ok(0, "session.completed")),
    vector("re-serialised (indented) body does not verify", PRETTY_BODY, spec_sig, expect=fail("signature_mismatch")),
    vector("signed without the whsec_ prefix does not verify", SPEC_BODY, sign(SPEC_SECRET[len("whsec_"):], TS, SPEC_BODY), signed_with=SPEC_SECRET[len("whsec_"):], expect=fail("signature_mismatch")),
    vector("signed over the body alone (no timestamp) does not verify", SPEC_BODY, "sha256=" + hmac.new(SPEC_SECRET.encode(), SPEC_BODY, hashlib.sha256).hexdigest(), expect=fail("signature_mismatch")),
    vector("uppercase hex is malformed", SPEC_BODY, "sha256=" + spec_sig[len("sha256="):].upper(), expect=fail("malformed_signature")),
    vector("base64 digest (Standard Webhooks style) is malformed", SPEC_BODY, "v1," + base64.b64encode(hmac.new(SPEC_SECRET.encode(), SPEC_BODY, hashlib.sha256).digest()).decode(), expect=fail("malformed_signature")),
    vector("exactly 300 s old is accepted", SPEC_BODY, spec_sig, now=int(TS) + 300, expect=ok(0, "session.completed")),
    vector("exactly 300 s ahead is accepted", SPEC_BODY, spec_sig, now=int(TS) - 300, expect=ok(0, "session.completed")),
    vector("301 s old is refused", SPEC_BODY, spec_sig, now=int(TS) + 301, expect=fail("timestamp_out_of_tolerance")),
    vector("301 s ahead is refused", SPEC_BODY, spec_sig, now=int(TS) - 301, expect=fail("timestamp_out_of_tolerance")),
    vector("timestamp with trailing letters is refused, not read as a number", SPEC_BODY, spec_sig, timestamp=TS + "abc", now=int(TS), expect=fail("invalid_timestamp")),
]

print(json.dumps({
    "description": "Known-answer vectors for X-H-Webhook-Signature, computed with Python's hmac by make_known_answers.py (this folder). "
                   "`now` is the receiver's clock in Unix seconds. Bodies are UTF-8 text in `body`, or raw bytes in `body_base64`.",
    "generator": "python3 test/webhooks/vectors/make_known_answers.py > test/webhooks/vectors/known-answers.json",
    "vectors": vectors,
}, ensure_ascii=False, indent=2))
