"""HTTPS on a local network (`make run-lan`): a certificate authority of this machine, and certificates
for its LAN address signed by it.

A camera needs a secure context, which http://<lan-ip> is not. The CA is made once and kept (trust it
once per device); it may only vouch for private addresses and localhost (X.509 name constraints),
so its key, which sits on a laptop, cannot be used to impersonate a real site.
"""

import datetime
import ipaddress
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PRIVATE_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",  # carrier-grade NAT, and overlay networks such as Tailscale
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
]
CA_FILE = "huddle-lan-ca.pem"
CA_KEY_FILE = "huddle-lan-ca-key.pem"


def lan_address():
    """This machine's address on its network: the source of the route out (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _now():
    return datetime.datetime.now(datetime.UTC)


def _permitted_networks(address):
    ip = ipaddress.ip_address(address)
    networks = list(PRIVATE_NETWORKS)
    if not any(ip in network for network in networks):
        networks.append(ipaddress.ip_network(f"{ip}/{ip.max_prefixlen}"))
    return networks


def _ca_permits(certificate, address):
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return False
    ip = ipaddress.ip_address(address)
    return any(
        isinstance(subtree, x509.IPAddress) and ip in subtree.value
        for subtree in constraints.permitted_subtrees or []
    )


def _write_private(path, data):
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(data)


def _pem_key(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def lan_ca(directory, address):
    """The machine's CA (certificate, key), made on first use or when it cannot vouch for `address`.

    Returns (certificate, key, made): `made` tells the caller to say that devices must trust it again.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / CA_FILE, directory / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        fresh = certificate.not_valid_after_utc > _now() + datetime.timedelta(days=30)
        if fresh and _ca_permits(certificate, address):
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return certificate, key, False
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Huddle local network"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Huddle LAN CA on {socket.gethostname()}"[:64]),
        ]
    )
    permitted = [x509.DNSName("localhost")] + [x509.IPAddress(n) for n in _permitted_networks(address)]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(hours=1))
        .not_valid_after(_now() + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, _pem_key(key))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key, True


def lan_server_certificate(directory, address):
    """A certificate for `address` (and localhost), signed by the machine's CA; files written.

    Returns (certificate path, key path, CA path, whether the CA is new).
    """
    directory = Path(directory)
    ca_certificate, ca_key, made = lan_ca(directory, address)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(address))]
    if address != "127.0.0.1":
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    certificate = (
        x509.CertificateBuilder()
        # No common name: the addresses are in the subjectAltName, where name constraints apply.
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Huddle local network")]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - datetime.timedelta(hours=1))
        .not_valid_after(_now() + datetime.timedelta(days=397))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path = directory / "server.pem"
    key_path = directory / "server-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, _pem_key(key))
    return cert_path, key_path, directory / CA_FILE, made
