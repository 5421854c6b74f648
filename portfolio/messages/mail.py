"""E-mail through the SMTP server the settings name (PORTFOLIO_SMTP_*, README.md "E-mail")."""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def configured(config: Mapping) -> bool:
    return bool(config.get("SMTP_HOST"))


def _compose(config: Mapping, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    message.set_content(body, charset="utf-8")
    return message


def send(config: Mapping, letters: list[tuple[str, str, str]]) -> list[str | None]:
    """Send each (address, subject, body) over one connection; for each, None when the server took
    it, else why not (in Chinese, with the server's own words). Never raises for a mail problem."""
    if not letters:
        return []
    security = config.get("SMTP_SECURITY", "none")
    try:
        if security == "ssl":
            server = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"],
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
    except (OSError, smtplib.SMTPException) as error:
        return [f"无法连接邮件服务器{config['SMTP_HOST']}:{config['SMTP_PORT']}（{error}）"] * len(letters)
    results: list[str | None] = []
    try:
        if security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        for address, subject, body in letters:
            try:
                refused = server.send_message(_compose(config, address, subject, body))
            except smtplib.SMTPRecipientsRefused as error:
                refused = error.recipients
            except (OSError, smtplib.SMTPException) as error:
                results.append(f"邮件服务器拒收（{error}）")
                continue
            results.append(f"邮件服务器拒收该地址（{refused[address]}）" if address in refused else None)
    except (OSError, smtplib.SMTPException) as error:
        results += [f"邮件服务器出错（{error}）"] * (len(letters) - len(results))
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return results
