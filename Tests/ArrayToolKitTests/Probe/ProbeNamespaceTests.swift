// The probe where there is no network: the built binary under `unshare -n`, with resolver
// files replaced in a private mount namespace, including a nameserver that never answers.

import Foundation
import Testing

@testable import ArrayToolKit

/// `arraytool probe` inside network namespaces (`unshare -n`, as root) where no DNS server can
/// be reached, with resolver files bind-mounted in a private mount namespace. Nothing leaves the
/// namespace: it has no interface but loopback.
@Suite(.serialized) struct ProbeNamespaceTests {
  /// A temporary folder holding `files`, removed after `body`.
  private func withFiles<Result>(
    _ files: [String: String], _ body: (URL) throws -> Result
  ) throws -> Result {
    try withTemporaryFolder("netns") { folder in
      for (name, text) in files {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
      }
      return try body(folder)
    }
  }

  /// Runs `script` with `sh` in new network and mount namespaces; `$ARRAYTOOL` is the binary.
  private func runIsolated(_ script: String) throws -> BinaryResult {
    try BinaryRunner.run(
      [], environment: ["ARRAYTOOL": BinaryRunner.executable.path],
      launcher: ["/usr/bin/unshare", "-n", "-m", "/bin/sh", "-c", script + " #"])
  }

  @Test func withoutANetworkDNSFailsWithTheResolverShown() throws {
    let started = Date()
    let result = try BinaryRunner.run(
      ["probe", "vmagent", "--timeout", "3", "--json"],
      environment: ["ARRAYTOOL_URL": "http://vmagent:8429"], launcher: ["/usr/bin/unshare", "-n"])
    let took = Date().timeIntervalSince(started)
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(["dns_temporary", "dns_not_found"].contains(object.errorKind ?? ""))
    #expect(object.outline.count == 1)
    // The phase stays within its limit; the whole run also pays for starting processes, which
    // is slow on a busy machine, so it only has to end well before anything could call it a hang.
    #expect(try #require(object.seconds("dns")) < 3)
    #expect(took < 10)
    let expected = ResolverConfiguration.load()
    #expect(object.resolver?["source"] as? String == "/etc/resolv.conf")
    #expect(object.resolver?["nameservers"] as? [String] == expected.nameservers)
    #expect(object.resolver?["search"] as? [String] == expected.search)

    let text = try BinaryRunner.run(
      ["probe", "vmagent"], environment: ["ARRAYTOOL_URL": "http://vmagent:8429"],
      launcher: ["/usr/bin/unshare", "-n"])
    #expect(text.status == 1)
    let shown = ProbeReport(symbols: false, colour: false)
      .wrap("resolver: \(expected.summary)", indent: "  ")
    #expect(text.stdout.contains("\n" + shown))
  }

  /// Probes `http://vmagent:8429` in a namespace where `text` replaces the file at `path`.
  private func probeReplacing(_ path: String, with text: String) throws -> ProbeJSON {
    let name = (path as NSString).lastPathComponent
    let result = try withFiles([name: text]) { folder in
      try runIsolated(
        "mount --bind \(folder.path)/\(name) \(path)"
          + " && exec \"$ARRAYTOOL\" probe vmagent --url http://vmagent:8429 --json")
    }
    #expect(result.status == 1)
    return try #require(try ProbeJSON.objects(result.stdout).first)
  }

  @Test func withoutALoopbackInterfaceTheLocalServerIsUnreachable() throws {
    let result = try BinaryRunner.run(
      ["probe", "vmagent", "--json"], launcher: ["/usr/bin/unshare", "-n"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp FAIL unreachable"])
    #expect(object.message("tcp") == "127.0.0.1:8429: connect: network is unreachable")
    let diagnosis = object.object["diagnosis"] as? [[String: String]]
    #expect(diagnosis?.first?["next_step"] == "ip link set lo up")
  }

  @Test func anUnreachableNameserverIsDnsTemporaryWithItsConfiguration() throws {
    let object = try probeReplacing(
      "/etc/resolv.conf",
      with: "nameserver 192.0.2.53\nsearch corp.example\noptions ndots:2 timeout:1\n")
    #expect(object.outline == ["dns FAIL dns_temporary"])
    #expect(object.message("dns") == "vmagent: temporary failure in name resolution (EAI_AGAIN)")
    #expect(object.resolver?["nameservers"] as? [String] == ["192.0.2.53"])
    #expect(object.resolver?["search"] as? [String] == ["corp.example"])
    #expect(object.resolver?["ndots"] as? Int == 2)
    #expect(object.resolver?["timeout"] as? Int == 1)
  }

  @Test func aNameTheSystemResolverDoesNotKnowIsDnsNotFound() throws {
    // With only /etc/hosts to ask, getaddrinfo itself answers EAI_NONAME.
    let object = try probeReplacing("/etc/nsswitch.conf", with: "hosts: files\n")
    #expect(object.outline == ["dns FAIL dns_not_found"])
    #expect(object.message("dns") == "vmagent: name or service not known (EAI_NONAME)")
    #expect(object.diagnosisKinds == ["dns_not_found"])
  }

  @Test func aResolverThatNeverAnswersIsCutOffAtTheTimeout() throws {
    // VictoriaMetrics' InfluxDB listener takes UDP packets on port 53 and never replies, so
    // glibc waits for it as long as resolv.conf allows (30 s, 5 times); the probe must not.
    let resolv = "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n"
    let result = try withFiles(["resolv.conf": resolv]) { folder in
      try runIsolated(
        """
        ip link set lo up && mount --bind \(folder.path)/resolv.conf /etc/resolv.conf || exit 9
        victoria-metrics -influxListenAddr=127.0.0.1:53 -httpListenAddr=127.0.0.1:8428 \
          -storageDataPath=\(folder.path)/data >\(folder.path)/vm.log 2>&1 &
        server=$!
        tries=0
        until grep -q ':0035 ' /proc/net/udp; do
          tries=$((tries + 1)); [ $tries -gt 100 ] && { kill $server; exit 8; }; sleep 0.1
        done
        "$ARRAYTOOL" probe vmagent --url http://vmagent:8429 --timeout 2 --json
        status=$?
        kill $server; wait $server
        exit $status
        """)
    }
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns FAIL dns_temporary"])
    #expect(object.message("dns") == "vmagent: the resolver did not answer within 2 s")
    let seconds = try #require(object.seconds("dns"))
    #expect(seconds >= 2 && seconds < 2.5)
    #expect(object.resolver?["nameservers"] as? [String] == ["127.0.0.1"])
    #expect(object.resolver?["timeout"] as? Int == 30)
  }
}
