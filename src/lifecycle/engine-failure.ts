/**
 * Why no Docker Engine answered, from the docker CLI's own error text (ssh's and TLS's words
 * included), as a cause and a next step: a remote engine fails for reasons "start Docker" does not
 * fix. Patterns are the texts of OpenSSH 9 and the docker CLI 28, recorded on this machine.
 */
export interface EngineFailure {
  readonly cause: string;
  readonly next: string;
}

const RULES: readonly (EngineFailure & { readonly pattern: RegExp })[] = [
  {
    pattern: /has changed and you have requested strict checking|REMOTE HOST IDENTIFICATION HAS CHANGED/,
    cause: "the Docker host's ssh key is not the one known_hosts holds for it",
    next: "compare the key the host really has (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it) with known_hosts (in CI: DOCKER_HOST_KNOWN_HOSTS), and replace the entry only once you know why it changed",
  },
  {
    pattern: /No \S+ host key is known for/,
    cause: "known_hosts has no entry for the Docker host, and strict host key checking refuses unknown hosts",
    next: "add the host's key line to ~/.ssh/known_hosts (in CI: DOCKER_HOST_KNOWN_HOSTS), from `ssh-keyscan -p <port> <host>` run once on a trusted network and checked",
  },
  {
    pattern: /Permission denied \(publickey/,
    cause: "the Docker host refused the ssh key",
    next: "add the deploy key's public half to ~/.ssh/authorized_keys of the DOCKER_HOST user on the host (in CI: DOCKER_HOST_SSH_KEY holds the private half)",
  },
  {
    pattern: /Could not resolve hostname/,
    cause: "the Docker host's name does not resolve",
    next: "check the host in DOCKER_HOST / docker.host",
  },
  {
    pattern: /ssh: connect to host .*(Connection refused|timed out|No route to host)/,
    cause: "no sshd answers at the Docker host's address",
    next: "check the host and port in DOCKER_HOST / docker.host, that sshd runs there, and that a firewall lets this machine in",
  },
  {
    pattern: /permission denied while trying to connect to the Docker daemon socket/,
    cause: "the user may not use the Docker socket",
    next: "add the user (for ssh://, the DOCKER_HOST user on the host) to the host's docker group",
  },
  {
    pattern: /Client sent an HTTP request to an HTTPS server/,
    cause: "the engine takes TLS only, and this deploy has no client certificate",
    next: "set docker.certPath (or DOCKER_CERT_PATH) to the folder with ca.pem, cert.pem and key.pem the engine's CA signed",
  },
  {
    pattern: /certificate signed by unknown authority|x509: certificate is valid for/,
    cause: "the engine's TLS certificate is not one the ca.pem in docker.certPath vouches for",
    next: "use the CA, client certificate and key made for this engine, and an address its certificate names",
  },
  {
    pattern: /tls: (bad certificate|certificate required|unknown certificate authority)/,
    cause: "the engine refused the client certificate",
    next: "use a client certificate (cert.pem, key.pem in docker.certPath) signed by the CA the engine trusts",
  },
  {
    pattern: /open \S+\/(ca|cert|key)\.pem: no such file or directory/,
    cause: "docker.certPath (or DOCKER_CERT_PATH) lacks ca.pem, cert.pem or key.pem",
    next: "point it at the folder that holds all three",
  },
];

/** The diagnosis of a docker CLI error text, or undefined when it is none of the known ones. */
export function diagnoseEngineFailure(stderr: string): EngineFailure | undefined {
  const rule = RULES.find((r) => r.pattern.test(stderr));
  return rule && { cause: rule.cause, next: rule.next };
}
