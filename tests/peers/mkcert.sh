#!/bin/bash
# mkcert.sh DIR - make a self-signed certificate for 127.0.0.1/localhost.
#
# Writes DIR/cert.pem (the certificate; it is its own CA, so clients can use
# it as the trust anchor: curl --cacert DIR/cert.pem) and DIR/key.pem (an
# unencrypted EC P-256 key, mode 600).
# Subject CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1.
# Valid from 2000-01-01 to 2099-12-31, so tests that run the daemon under
# faketime at other dates still see a valid certificate.
# Takes well under a second.  Exit status: 0 ok, 77 if openssl is missing
# (Debian package: openssl) so callers can skip, 1 on other errors.
set -u
dir=${1:?usage: mkcert.sh DIR}
if ! command -v openssl >/dev/null 2>&1; then
    echo "mkcert.sh: openssl is not installed (Debian package: openssl)" >&2
    exit 77
fi
mkdir -p "$dir" || exit 1
work=$(mktemp -d "$dir/.mkcert.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
umask 077

cat >"$work/ca.cnf" <<'EOF'
[ ca ]
default_ca = self
[ self ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = pol
copy_extensions = none
unique_subject = no
[ pol ]
commonName = supplied
[ ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
: >"$work/index.txt"
echo 01 >"$work/serial"

if ! (
    cd "$work" &&
    openssl ecparam -name prime256v1 -genkey -noout -out key.pem &&
    openssl req -new -key key.pem -subj /CN=localhost -out req.csr &&
    openssl ca -batch -config ca.cnf -selfsign -keyfile key.pem -in req.csr \
        -out cert.pem -startdate 20000101000000Z -enddate 20991231235959Z \
        -extensions ext -notext
) >"$work/log" 2>&1; then
    echo "mkcert.sh: openssl failed:" >&2
    cat "$work/log" >&2
    exit 1
fi
mv "$work/key.pem" "$dir/key.pem" && mv "$work/cert.pem" "$dir/cert.pem" || exit 1
chmod 600 "$dir/key.pem"
chmod 644 "$dir/cert.pem"
exit 0
