#!/usr/bin/env python3
"""Generate interop fixtures for src/crypto from wechatpy.

Every ciphertext and signature in the output is produced by wechatpy itself
(wechatpy.crypto.WeChatCrypto / PrpCrypto); this script only chooses the
inputs. wechatpy draws its 16-byte prefix from random_string(16) (16 distinct
ASCII letters/digits), so we monkeypatch BasePrpCrypto.get_random_string to a
fixed per-case value and record it, which lets the Rust tests re-encrypt and
compare byte for byte.

Usage:  pip install wechatpy cryptography
        python3 scripts/crypto-fixtures.py   # writes src/crypto/fixtures/wechatpy.json
"""
import base64
import json
import os
import struct
import sys

import wechatpy
import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto, _get_signature
from wechatpy.crypto.base import BasePrpCrypto
from wechatpy.utils import WeChatSigner, check_signature

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "crypto", "fixtures", "wechatpy.json")

# Tencent's sample key: its 43rd character ('G') leaves non-zero trailing bits,
# as roughly 3 in 4 console-generated keys do. Decoders must tolerate that.
KEY_SAMPLE = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# A key whose trailing bits are zero ('A' at the end): canonical base64.
KEY_CANONICAL = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA"
KEY_OLD = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

TOKEN = "QDG6eK"
APPID = "wx5823bf96d3bd56c7"
COMPONENT_APPID = "wx0123456789abcdef"

_fixed = {"value": None}


def _fixed_random(self):
    return _fixed["value"]


BasePrpCrypto.get_random_string = _fixed_random


def raw_plaintext_len(random16, msg, appid):
    return 16 + 4 + len(msg.encode("utf-8")) + len(appid.encode("utf-8"))


def pad_len(n):
    return 32 - n % 32


def decrypt_raw(key43, encrypt_b64):
    """Decrypt with wechatpy's cipher only, to report the padding actually used."""
    from wechatpy.crypto.cryptography import WeChatCipher

    key = base64.b64decode(key43 + "=")
    plain = WeChatCipher(key).decrypt(base64.b64decode(encrypt_b64))
    return plain


def message_case(name, msg, *, key=KEY_SAMPLE, appid=APPID, token=TOKEN,
                 timestamp="1409304348", nonce="xxxxxx", random16,
                 outer="ToUserName", description=""):
    """Encrypt `msg` as WeChat would push it, then check wechatpy decrypts it."""
    _fixed["value"] = random16
    crypto = WeChatCrypto(token, key, appid)
    encrypt = PrpCrypto(crypto.key).encrypt(msg, appid).decode("ascii")
    sig = _get_signature(token, timestamp, nonce, encrypt)
    if outer == "AppId":
        body = ("<xml><AppId><![CDATA[%s]]></AppId>"
                "<Encrypt><![CDATA[%s]]></Encrypt></xml>") % (appid, encrypt)
    else:
        body = ("<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
                "<Encrypt><![CDATA[%s]]></Encrypt></xml>") % encrypt
    # Round trip through wechatpy's public API (signature check + decrypt).
    assert crypto.decrypt_message(body, sig, timestamp, nonce) == msg
    raw = decrypt_raw(key, encrypt)
    n = raw_plaintext_len(random16, msg, appid)
    assert len(raw) == n + pad_len(n), (name, len(raw), n)
    assert raw[:16] == random16.encode("ascii")
    assert raw[16:20] == struct.pack(">I", len(msg.encode("utf-8")))
    return {
        "name": name,
        "kind": "message",
        "description": description,
        "token": token,
        "encoding_aes_key": key,
        "appid": appid,
        "timestamp": timestamp,
        "nonce": nonce,
        "random": random16,
        "plaintext": msg,
        "encrypt": encrypt,
        "msg_signature": sig,
        "body_xml": body,
        "padding": raw[-1],
    }


def build_cases():
    cases = []
    cases.append(message_case(
        "ascii_text",
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
        "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[hello, world]]></Content><MsgId>6054768590064713728</MsgId></xml>",
        random16="8XQqzb2AjD5xUgoA",
        description="ASCII text message, ToUserName outer form, Tencent sample key"))
    cases.append(message_case(
        "chinese_utf8",
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
        "<CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[你好，世界！中文消息 ]]]]><![CDATA[> & <测试>]]></Content>"
        "<MsgId>6054768590064713729</MsgId></xml>",
        key=KEY_CANONICAL, random16="Zb9NfW3kLmQ1xYcR", timestamp="1700000000",
        nonce="1320562132",
        description="UTF-8 (Chinese) content, split CDATA, canonical key"))

    # Full-block padding: 16 + 4 + len(msg) + len(appid) must be a multiple of 32.
    base = "<xml><Content><![CDATA[pad]]></Content></xml>"
    n = raw_plaintext_len("x" * 16, base, APPID)
    filler = (32 - n % 32) % 32
    msg = base.replace("pad", "pad" + "p" * filler)
    assert raw_plaintext_len("x" * 16, msg, APPID) % 32 == 0
    c = message_case("full_block_padding", msg, random16="AbCdEfGhIjKlMnOp",
                     timestamp="1409304349", nonce="abcdef",
                     description="plaintext is a multiple of 32 bytes: a whole block of 0x20 padding")
    assert c["padding"] == 32
    cases.append(c)

    # Padding of exactly 1 byte.
    base = "<xml><Content><![CDATA[one]]></Content></xml>"
    n = raw_plaintext_len("x" * 16, base, APPID)
    filler = (31 - n % 32) % 32
    msg = base.replace("one", "one" + "o" * filler)
    c = message_case("one_byte_padding", msg, random16="QwErTyUiOpAsDfGh",
                     description="plaintext is 31 mod 32: a single 0x01 padding byte")
    assert c["padding"] == 1
    cases.append(c)

    ticket_xml = ("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>1413192605</CreateTime>"
                  "<InfoType><![CDATA[component_verify_ticket]]></InfoType>"
                  "<ComponentVerifyTicket><![CDATA[ticket@@@lEHjsBEi_TPDey0IZxw4Zbb7JRYLOtEf9ksvDpSwzkwog3R6xEpdaK0yIee7JOyOXM0V7cp0dpM58GKmb8FSKA]]></ComponentVerifyTicket>"
                  "</xml>") % COMPONENT_APPID
    c = message_case("component_verify_ticket", ticket_xml, appid=COMPONENT_APPID,
                     key=KEY_CANONICAL, random16="TicketRandom0001", timestamp="1413192605",
                     nonce="1496893582", outer="AppId",
                     description="third-party platform ticket push, AppId outer form")
    c["kind"] = "push"
    c["expect_event"] = {
        "app_id": COMPONENT_APPID, "create_time": 1413192605,
        "info_type": "component_verify_ticket",
        "component_verify_ticket": "ticket@@@lEHjsBEi_TPDey0IZxw4Zbb7JRYLOtEf9ksvDpSwzkwog3R6xEpdaK0yIee7JOyOXM0V7cp0dpM58GKmb8FSKA",
    }
    ev = xmltodict.parse(ticket_xml)["xml"]
    assert ev["ComponentVerifyTicket"] == c["expect_event"]["component_verify_ticket"]
    cases.append(c)

    auth_xml = ("<xml><AppId>%s</AppId><CreateTime>1413192760</CreateTime>"
                "<InfoType>authorized</InfoType><AuthorizerAppid>wxf8b4f85f3a794e77</AuthorizerAppid>"
                "<AuthorizationCode>queryauthcode@@@abc&amp;def</AuthorizationCode>"
                "<AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime>"
                "<PreAuthCode>preauthcode@@@xyz</PreAuthCode></xml>") % COMPONENT_APPID
    c = message_case("authorized_event", auth_xml, appid=COMPONENT_APPID,
                     key=KEY_CANONICAL, random16="AuthRandom000002", timestamp="1413192760",
                     nonce="2021707788", outer="AppId",
                     description="authorized event; plain text (no CDATA) and an &amp; entity")
    c["kind"] = "push"
    c["expect_event"] = {
        "app_id": COMPONENT_APPID, "create_time": 1413192760, "info_type": "authorized",
        "authorizer_appid": "wxf8b4f85f3a794e77",
        "authorization_code": "queryauthcode@@@abc&def",
        "authorization_code_expired_time": 1413196360,
        "pre_auth_code": "preauthcode@@@xyz",
    }
    assert xmltodict.parse(auth_xml)["xml"]["AuthorizationCode"] == "queryauthcode@@@abc&def"
    cases.append(c)

    unauth_xml = ("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>1413192760</CreateTime>"
                  "<InfoType><![CDATA[unauthorized]]></InfoType>"
                  "<AuthorizerAppid><![CDATA[wxf8b4f85f3a794e77]]></AuthorizerAppid></xml>") % COMPONENT_APPID
    c = message_case("unauthorized_event", unauth_xml, appid=COMPONENT_APPID,
                     key=KEY_CANONICAL, random16="UnauthRandom0003", timestamp="1413192761",
                     nonce="987654321", outer="AppId", description="unauthorized event")
    c["kind"] = "push"
    c["expect_event"] = {
        "app_id": COMPONENT_APPID, "create_time": 1413192760, "info_type": "unauthorized",
        "authorizer_appid": "wxf8b4f85f3a794e77",
    }
    cases.append(c)

    # Encrypted passive reply through wechatpy's public encrypt_message.
    reply = ("<xml><ToUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></ToUserName>"
             "<FromUserName><![CDATA[gh_10f6c3c3ac5a]]></FromUserName><CreateTime>1409735670</CreateTime>"
             "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到：hello]]></Content></xml>")
    _fixed["value"] = "ReplyRandom00004"
    crypto = WeChatCrypto(TOKEN, KEY_SAMPLE, APPID)
    reply_out = crypto.encrypt_message(reply, "nonce123", "1409735670")
    parsed = xmltodict.parse(reply_out)["xml"]
    assert crypto.decrypt_message(reply_out, parsed["MsgSignature"], "1409735670", "nonce123") == reply
    cases.append({
        "name": "encrypted_reply", "kind": "reply",
        "description": "WeChatCrypto.encrypt_message output (passive reply envelope)",
        "token": TOKEN, "encoding_aes_key": KEY_SAMPLE, "appid": APPID,
        "timestamp": "1409735670", "nonce": "nonce123", "random": "ReplyRandom00004",
        "plaintext": reply, "encrypt": parsed["Encrypt"],
        "msg_signature": parsed["MsgSignature"], "reply_xml": reply_out,
    })

    # URL verification, safe mode: msg_signature over (token, timestamp, nonce, echostr),
    # echostr is itself an encrypted payload whose message is the string to echo.
    _fixed["value"] = "EchoRandom000005"
    crypto = WeChatCrypto(TOKEN, KEY_CANONICAL, APPID)
    echo_plain = "1616140317555161061"
    echostr = PrpCrypto(crypto.key).encrypt(echo_plain, APPID).decode("ascii")
    msig = _get_signature(TOKEN, "1409659589", "263014780", echostr)
    assert crypto._check_signature(msig, "1409659589", "263014780", echostr, PrpCrypto) == echo_plain
    cases.append({
        "name": "url_verify_safe", "kind": "url_verify_safe",
        "description": "GET URL verification in safe mode (encrypted echostr)",
        "token": TOKEN, "encoding_aes_key": KEY_CANONICAL, "appid": APPID,
        "timestamp": "1409659589", "nonce": "263014780", "random": "EchoRandom000005",
        "plaintext": echo_plain, "encrypt": echostr, "msg_signature": msig,
    })

    # URL verification, plain mode: signature over (token, timestamp, nonce), echo as is.
    signer = WeChatSigner()
    signer.add_data(TOKEN, "1409659813", "1372623149")
    plain_sig = signer.signature
    check_signature(TOKEN, plain_sig, "1409659813", "1372623149")
    cases.append({
        "name": "url_verify_plain", "kind": "url_verify_plain",
        "description": "GET URL verification in plain mode (wechatpy.utils.check_signature)",
        "token": TOKEN, "encoding_aes_key": KEY_CANONICAL, "appid": APPID,
        "timestamp": "1409659813", "nonce": "1372623149", "echostr": "4112037081",
        "signature": plain_sig,
    })

    # Key rotation: encrypted with the previous key; the receiver's current key is new.
    c = message_case("previous_key", "<xml><Content><![CDATA[sent before rotation]]></Content></xml>",
                     key=KEY_OLD, random16="OldKeyRandom0006", timestamp="1500000000",
                     nonce="555", description="encrypted with the old EncodingAESKey")
    c["kind"] = "previous_key"
    c["current_encoding_aes_key"] = KEY_CANONICAL
    c["previous_encoding_aes_key"] = KEY_OLD
    cases.append(c)
    return cases


def main():
    cases = build_cases()
    doc = {
        "generator": "scripts/crypto-fixtures.py",
        "wechatpy_version": wechatpy.__version__,
        "python_version": sys.version.split()[0],
        "notes": [
            "random is the 16-byte prefix; wechatpy uses 16 distinct ASCII letters/digits",
            "padding is the PKCS#7 pad byte (block size 32) found in wechatpy's own plaintext",
        ],
        "cases": cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print("wrote %d cases to %s (wechatpy %s)" % (len(cases), os.path.normpath(OUT), wechatpy.__version__))


if __name__ == "__main__":
    main()
