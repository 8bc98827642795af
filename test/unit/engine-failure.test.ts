/**
 * Remote engines fail for reasons "start Docker" does not fix. The texts are the docker CLI 28's
 * and OpenSSH 9's, recorded on this machine against the suite's remote engine (ssh and TLS).
 */
import { diagnoseEngineFailure } from "../../src/lifecycle/engine-failure";
import { noEngineMessage } from "../../src/lifecycle/docker-engine";

const viaSsh = (stderr: string) =>
  `error during connect: Get "http://docker.example.com/v1.50/version": command [ssh -o ConnectTimeout=30 -T -l deploy -p 44401 -- 127.0.0.1 docker system dial-stdio] has exited with exit status 255, make sure the URL is valid, and Docker 18.09 or later is installed on the remote host: stderr=${stderr}`;

const RECORDED: [string, string, RegExp][] = [
  [
    "a host key other than known_hosts holds",
    viaSsh(`@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Offending ED25519 key in /home/runner/.ssh/known_hosts:1
Host key for [127.0.0.1]:44401 has changed and you have requested strict checking.
Host key verification failed.`),
    /ssh key is not the one known_hosts holds/,
  ],
  ["no known_hosts entry", viaSsh("No ED25519 host key is known for [127.0.0.1]:44401 and you have requested strict checking.\nHost key verification failed."), /known_hosts has no entry/],
  ["a key the host does not accept", viaSsh("deploy@127.0.0.1: Permission denied (publickey)."), /refused the ssh key/],
  ["nothing listening", viaSsh("ssh: connect to host 127.0.0.1 port 1: Connection refused"), /no sshd answers/],
  ["a name that does not resolve", viaSsh("ssh: Could not resolve hostname llm-host.invalid: Name or service not known"), /does not resolve/],
  ["plain tcp to a TLS engine", "Error response from daemon: Client sent an HTTP request to an HTTPS server.", /takes TLS only/],
  [
    "certificates of another CA",
    'error during connect: Get "https://127.0.0.1:46025/v1.50/version": tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "x509: Ed25519 verification failure" while trying to verify candidate authority certificate "e2e remote engine CA")',
    /not one the ca\.pem in docker\.certPath vouches for/,
  ],
  ["a certPath without the files", "Failed to initialize: unable to resolve docker endpoint: open /tmp/nonexist/ca.pem: no such file or directory", /lacks ca\.pem, cert\.pem or key\.pem/],
];

describe("why no engine answered", () => {
  test.each(RECORDED)("%s", (_case, stderr, cause) => {
    expect(diagnoseEngineFailure(stderr)?.cause).toMatch(cause);
    expect(noEngineMessage("ssh://deploy@127.0.0.1:44401", stderr)).toMatch(new RegExp(`^no Docker Engine answers at ssh://deploy@127\\.0\\.0\\.1:44401: .*${cause.source}.*\\. Next: .+`));
  });

  test("an unknown reason keeps its own last line and the general next step", () => {
    const stderr = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";
    expect(diagnoseEngineFailure(stderr)).toBeUndefined();
    expect(noEngineMessage(undefined, `first line\n${stderr}`)).toMatch(/\(Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?\): start Docker \(or dockerd\)/);
  });
});
