// `arraytool probe` end to end: the built binary against real VictoriaMetrics and vmagent and
// against each fault (closed port, unknown name, silent listener, 503), with exit codes.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

/// `arraytool probe` run as a user would, against real servers and against each fault.
@Suite(.serialized) struct ProbeCommandTests {
  @Test func realServersAreHealthyWithTheRetentionReadBack() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let result = try BinaryRunner.run(
        ["probe", "all", "--url", agent.url, "--vm-url", storage.url, "--json"])
      #expect(result.status == 0)
      #expect(result.stderr == "")
      let objects = try ProbeJSON.objects(result.stdout)
      #expect(objects.map { $0.object["target"] as? String } == ["vmagent", "victoriametrics"])
      #expect(objects.map(\.healthy) == [true, true])
      #expect(objects[0].outline == ["dns ok -", "tcp ok -", "http ok -", "metrics ok -"])
      #expect(objects[1].outline == ["dns ok -", "tcp ok -", "http ok -", "flags ok -"])
      #expect(objects[0].facts?["dropped_total"] as? Double == 0)
      let flags = objects[1].facts?["flags"] as? [String: String]
      #expect(flags?["retentionPeriod"] == "100y")
      #expect(objects[1].facts?["retention_seconds"] as? Double == 3_153_600_000)
      #expect(objects[1].facts?["flags_set"] as? [String] == ["retentionPeriod"])
    }
  }

  @Test func theTextReportNamesEachPhaseAndTheFacts() throws {
    try VictoriaMetricsServer.withVictoriaMetrics(retention: "2w") { storage in
      let result = try BinaryRunner.run(
        ["probe", "victoriametrics"], environment: ["ARRAYTOOL_VM_URL": storage.url])
      #expect(result.status == 0)
      let lines = result.stdout.split(separator: "\n").map(String.init)
      #expect(lines.first == "VictoriaMetrics at \(storage.url): healthy")
      let under = String(repeating: " ", count: 31)
      let starts: [String] = lines.dropFirst().map { String($0.prefix(16)) }
      let expectedStarts: [String] = [
        "  ok    dns     ", "  ok    tcp     ", "  ok    http    ", "  ok    flags   ",
        String(under.prefix(16)), String(under.prefix(16)),
      ]
      #expect(starts == expectedStarts)
      #expect(lines[2].hasSuffix(" ms  connected to 127.0.0.1:\(storage.port)"))
      #expect(lines[3].hasSuffix(" ms  GET /health: 200 OK"))
      // The facts wrap under the start of the message.
      #expect(lines[4].hasSuffix(" ms  retentionPeriod=2w, dedup.minScrapeInterval=0s (default),"))
      #expect(
        lines[5] == under + "import.maxLineLen=104857600 (default), maxLabelsPerTimeseries=30")
      #expect(lines[6] == under + "(default)")
    }
  }

  @Test func theWriteTestMakesTheWholeTrip() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let result = try BinaryRunner.run(
        ["probe", "vmagent", "--url", agent.url, "--vm-url", storage.url, "--write-test", "--json"])
      #expect(result.status == 0)
      let object = try #require(try ProbeJSON.objects(result.stdout).first)
      #expect(object.outline.last == "write_test ok -")
      let series = try #require((object.object["write_test"] as? [String: String])?["series"])
      let id = String(series.split(separator: "\"")[1])
      #expect(try storage.export("{probe_id=\"\(id)\"}").contains("\"probe_id\":\"\(id)\""))
    }
  }

  @Test func vmagentThatCannotDeliverIsUnhealthy() throws {
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let agent = try VictoriaMetricsServer.startVmagent(
      forwardingTo: "http://127.0.0.1:\(closedPort)")
    defer { agent.stop() }
    #expect(try agent.post("/api/v1/import/prometheus", body: "probe_test_metric 1\n").0 == 204)
    let limit = Date().addingTimeInterval(20)
    var failures = 0
    while failures == 0 && Date() < limit {
      usleep(200_000)
      let page = try agent.get("/metrics").1
      failures = page.split(separator: "\n")
        .filter { $0.hasPrefix("vmagent_remotewrite_errors_total") }
        .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
    }
    #expect(failures > 0)

    let result = try BinaryRunner.run(["probe", "vmagent", "--url", agent.url, "--json"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp ok -", "http ok -", "metrics FAIL unhealthy"])
    #expect(object.errorKind == "unhealthy")
    #expect(object.diagnosisKinds == ["unhealthy"])
  }

  /// vmagent answers /health and /flags like a VictoriaMetrics; before, the probe called it a
  /// healthy one and printed default flags it never had.
  @Test func aVmagentProbedAsVictoriaMetricsIsNamedForWhatItIs() throws {
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let agent = try VictoriaMetricsServer.startVmagent(
      forwardingTo: "http://127.0.0.1:\(closedPort)")
    defer { agent.stop() }
    let result = try BinaryRunner.run(["probe", "victoriametrics", "--url", agent.url, "--json"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp ok -", "http ok -", "flags FAIL bad_response"])
    #expect(object.message("flags")
      == "GET /flags lists -remoteWrite.url: this is a vmagent, not a VictoriaMetrics")
    #expect(object.diagnosisKinds == ["bad_response"])

    let text = try BinaryRunner.run(["probe", "victoriametrics", "--url", agent.url])
    #expect(text.status == 1)
    #expect(text.stdout.hasPrefix("VictoriaMetrics at \(agent.url): UNHEALTHY (bad_response)\n"))
    #expect(text.stdout.contains("This is a vmagent, not a VictoriaMetrics: \(agent.url) answers"))
    #expect(!text.stdout.contains("retentionPeriod"))
    #expect(text.stdout.hasSuffix("  next: arraytool probe vmagent --url \(agent.url)\n"))
  }

  @Test func aVictoriaMetricsProbedAsVmagentIsNamedForWhatItIs() throws {
    let storage = try VictoriaMetricsServer.startVictoriaMetrics()
    defer { storage.stop() }
    let result = try BinaryRunner.run(["probe", "vmagent", "--url", storage.url, "--json"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp ok -", "http ok -", "metrics FAIL bad_response"])
    #expect(object.message("metrics")
      == "GET /metrics counts stored rows (vm_rows): this is a VictoriaMetrics, not a vmagent")

    let text = try BinaryRunner.run(["probe", "vmagent", "--url", storage.url])
    #expect(text.status == 1)
    #expect(
      text.stdout.contains(
        "This is a VictoriaMetrics, not a vmagent: \(storage.url) counts stored rows"))
    #expect(text.stdout.hasSuffix("  next: arraytool probe victoriametrics --url \(storage.url)\n"))
  }

  @Test func aClosedPortIsConnectionRefused() throws {
    let (placeholder, port) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let result = try BinaryRunner.run(
      ["probe", "vmagent", "--json"], environment: ["ARRAYTOOL_URL": "127.0.0.1:\(port)"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp FAIL connection_refused"])
    #expect(object.message("tcp") == "127.0.0.1:\(port): connect: connection refused")
    #expect(object.diagnosisKinds == ["connection_refused"])
    #expect(object.resolver == nil)

    let text = try BinaryRunner.run(["probe", "vmagent", "--url", "http://127.0.0.1:\(port)"])
    #expect(text.status == 1)
    #expect(
      text.stdout.hasPrefix("vmagent at http://127.0.0.1:\(port): UNHEALTHY (connection_refused)\n")
    )
    #expect(text.stdout.contains("\n  FAIL  tcp  "))
    #expect(text.stdout.hasSuffix("  next: ss -ltnp 'sport = :\(port)'\n"))
  }

  @Test func aNameUnderInvalidIsDnsNotFoundWithTheResolverShown() throws {
    let result = try BinaryRunner.run(
      ["probe", "vmagent", "--url", "http://vmagent.invalid:8429", "--json"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns FAIL dns_not_found"])
    #expect(object.diagnosisKinds == ["dns_not_found"])
    let expected = ResolverConfiguration.load()
    #expect(object.resolver?["nameservers"] as? [String] == expected.nameservers)
    #expect(object.resolver?["ndots"] as? Int == expected.ndots)
    // Nothing was asked of the resolver, so the explanation does not blame its view of the name.
    let text = try BinaryRunner.run(["probe", "vmagent", "--url", "http://vmagent.invalid:8429"])
    #expect(text.stdout.contains(
      "  dns_not_found: The name 'vmagent.invalid' is under .invalid, which is reserved never to "
        + "exist (RFC\n    6761): the URL is a placeholder or a mistake. Give the name or address "
        + "where this host reaches\n    the vmagent.\n"))
  }

  @Test func aListenerThatNeverAnswersTimesOutWithinTheLimit() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let started = Date()
    let result = try BinaryRunner.run(
      ["probe", "vmagent", "--url", server.url, "--timeout", "1", "--json"])
    let took = Date().timeIntervalSince(started)
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp ok -", "http FAIL timeout"])
    let seconds = try #require(object.seconds("http"))
    #expect(seconds >= 1 && seconds < 1.5)
    // Starting the process costs time too on a busy machine; this only rules out a hang.
    #expect(took < 8)
  }

  @Test func aServerAnswering503IsHttpStatus() throws {
    let server = try LoopbackServer(
      status: 503, reason: "Service Unavailable", body: "VictoriaMetrics is starting up\n")
    defer { server.stop() }
    let result = try BinaryRunner.run(
      ["probe", "victoriametrics", "--url", server.url, "--json"])
    #expect(result.status == 1)
    let object = try #require(try ProbeJSON.objects(result.stdout).first)
    #expect(object.outline == ["dns ok -", "tcp ok -", "http FAIL http_status"])
    #expect(
      object.message("http")
        == "GET /health answered 503 Service Unavailable: \"VictoriaMetrics is starting up\"")
    #expect(object.diagnosisKinds == ["http_status"])
  }

  @Test func allIsUnhealthyWhenOneTargetIs() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let (placeholder, port) = try LoopbackSocket.bound()
      defer { close(placeholder) }
      let result = try BinaryRunner.run(
        ["probe", "all", "--json"],
        environment: ["ARRAYTOOL_URL": "http://127.0.0.1:\(port)", "ARRAYTOOL_VM_URL": storage.url])
      #expect(result.status == 1)
      let objects = try ProbeJSON.objects(result.stdout)
      #expect(objects.map(\.healthy) == [false, true])
    }
  }

  @Test func waitingReportsEachRetryOnStderr() throws {
    let (placeholder, port) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let result = try BinaryRunner.run(
      ["probe", "vmagent", "--url", "http://127.0.0.1:\(port)", "--wait", "1", "--json"])
    #expect(result.status == 1)
    #expect(
      result.stderr
        == "arraytool: vmagent not healthy yet (connection_refused), trying again; 1 s left\n")
    #expect(try ProbeJSON.objects(result.stdout).first?.object["attempts"] as? Int == 2)
  }

  @Test func badOptionsAreUsageErrors() throws {
    let result = try BinaryRunner.run(["probe", "vmagent", "--url", "ftp://vmagent"])
    #expect(result.status == 2)
    #expect(
      result.stderr
        == "arraytool: error: invalid --url 'ftp://vmagent': the scheme must be http or https\n"
        + "arraytool: hint: see 'arraytool probe --help'\n")
    #expect(try BinaryRunner.run(["probe"]).status == 2)
    #expect(try BinaryRunner.run(["probe", "vmagent", "--timeout", "soon"]).status == 2)
  }
}
