"""HTTPS for the hub: a school's certificate, or one made for this machine.

Off loopback the hub speaks HTTPS or does not start: passwords and cookies would otherwise
cross the classroom network in clear text. ``--no-https`` is for a reverse proxy in front that
does TLS itself. A self-signed certificate covers the machine's names and addresses and is kept
(under ``<root>/state/tls``) so that its fingerprint, which students compare with the one their
browser shows, stays the same from one start to the next.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import ssl
import subprocess
from pathlib import Path

from crmlab.rules.checks import CourseInputError

SELF_SIGNED_DAYS = 825  # the longest validity browsers accept for a server certificate


def is_loopback(ip: str) -> bool:
    """Whether listening on ``ip`` serves this machine only ("" means every interface)."""
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def check_listen(ip: str, has_certificate: bool, no_https: bool, say=print) -> None:
    """Refuse plain HTTP on a network address (one Chinese line), unless ``no_https``."""
    if has_certificate or is_loopback(ip):
        return
    where = f"地址 {ip}" if ip else "所有网络接口"
    if not no_https:
        raise CourseInputError(
            f"不能在{where}上用不加密的 HTTP 开课（密码会被他人看到）：请用 --ssl-cert 和 --ssl-key "
            "给出学校的证书，或用 --self-signed 生成一个；前面已有做 HTTPS 的反向代理时才用 --no-https")
    say(f"警告：--no-https，JupyterHub 在{where}上以 HTTP 提供服务，请确认前面的反向代理已做 HTTPS。")


def check_files(cert: Path, key: Path) -> None:
    """A readable certificate and its private key, which belong together."""
    for path, what in ((cert, "证书"), (key, "私钥")):
        if not path.is_file():
            raise CourseInputError(f"找不到{what}文件 {path}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, ValueError) as error:
        raise CourseInputError(f"证书 {cert} 与私钥 {key} 无法一起使用（{error.reason or error}）："
                               "请确认它们是 PEM 格式、属于同一对") from None


def fingerprint(cert: Path) -> str:
    """The certificate's SHA-256 fingerprint as browsers show it (``AB:CD:…``)."""
    der = ssl.PEM_cert_to_DER_cert(Path(cert).read_text(encoding="ascii"))
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def machine_names(ip: str) -> tuple[list[str], list[str]]:
    """This machine's host names and addresses (those a student may type), for a certificate."""
    names = {"localhost", socket.gethostname(), socket.getfqdn()}
    addresses = {"127.0.0.1", "::1"}
    if ip and not is_loopback(ip):
        addresses.add(ip)
    try:
        listed = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=10)
        addresses |= set(listed.stdout.split())
    except (OSError, subprocess.SubprocessError):
        pass
    valid = set()
    for address in addresses:
        try:
            valid.add(str(ipaddress.ip_address(address.split("%")[0])))
        except ValueError:
            continue
    return sorted(n for n in names if n), sorted(valid)


def self_signed(folder: Path, ip: str) -> tuple[Path, Path]:
    """A certificate for this machine (made, or the one made before when it still covers the
    machine's names and addresses) and its key, root only."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    cert, key, covered = folder / "hub.crt", folder / "hub.key", folder / "names.json"
    names, addresses = machine_names(ip)
    wanted = {"names": names, "addresses": addresses}
    if cert.is_file() and key.is_file() and covered.is_file() and \
            json.loads(covered.read_text(encoding="utf-8")) == wanted:
        return cert, key
    alt = ",".join([*(f"DNS:{n}" for n in names), *(f"IP:{a}" for a in addresses)])
    done = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", str(SELF_SIGNED_DAYS), "-keyout", str(key), "-out", str(cert),
         "-subj", f"/CN={socket.gethostname() or 'crmlab-hub'}/O=CRM Lab",
         "-addext", f"subjectAltName={alt}",
         "-addext", "extendedKeyUsage=serverAuth"],
        capture_output=True, text=True)
    if done.returncode != 0:
        raise CourseInputError(f"生成自签名证书失败（openssl）：{done.stderr.strip()[-300:]}")
    key.chmod(0o600)
    cert.chmod(0o644)
    covered.write_text(json.dumps(wanted), encoding="utf-8")
    return cert, key
