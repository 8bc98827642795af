#!/bin/sh
# Starts sshd (key logins only) and dockerd. AUTHORIZED_KEY: the public key `deploy` accepts.
# /certs/{ca,server-cert,server-key}.pem, when mounted: dockerd also listens on tcp://:2376 with TLS
# and verifies clients against ca.pem.
set -eu
# Host keys are made here, so each remote engine has its own; the suite reads the public one
# through `docker exec` (a trusted channel), never from the network.
ssh-keygen -A >/dev/null
install -d -m 700 -o deploy -g deploy /home/deploy/.ssh
printf '%s\n' "$AUTHORIZED_KEY" >/home/deploy/.ssh/authorized_keys
chown deploy:deploy /home/deploy/.ssh/authorized_keys
chmod 600 /home/deploy/.ssh/authorized_keys
/usr/sbin/sshd -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o PermitRootLogin=no

set -- -H unix:///var/run/docker.sock
if [ -f /certs/server-cert.pem ]; then
  set -- "$@" -H tcp://0.0.0.0:2376 --tlsverify --tlscacert /certs/ca.pem --tlscert /certs/server-cert.pem --tlskey /certs/server-key.pem
fi
# Address ranges clear of the outer engine's (its bridge, a swarm's ingress and gwbridge).
exec dockerd "$@" --bip 10.213.0.1/24 --default-address-pool base=10.214.0.0/16,size=24
