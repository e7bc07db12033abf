// The prober phase by phase, with the resolver injected through `HostResolver` and loopback
// stand-ins for servers that fail in each way.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

/// A resolver that gives a fixed answer, standing in for the system one.
private struct ScriptedResolver: HostResolver {
  var answer: Result<[ResolvedAddress], ResolverError>

  func lookUp(host: String, port: Int, deadline: Deadline) throws -> [ResolvedAddress] {
    try answer.get().map { ResolvedAddress(ip: $0.ip, port: port)! }
  }
}

private let loopback = ResolvedAddress(ip: "127.0.0.1", port: 0)!
private let containerResolver = ResolverConfiguration.parse(
  "nameserver 127.0.0.11\nsearch corp.example\noptions ndots:0\n", source: "/etc/resolv.conf")

private func prober(
  _ answer: Result<[ResolvedAddress], ResolverError> = .success([loopback]),
  timeout: Double = 2
) -> Prober {
  Prober(
    timeout: timeout, resolver: ScriptedResolver(answer: answer),
    resolverConfiguration: { containerResolver })
}

/// The phases as (name, ok, kind, message), the parts a test can know exactly.
private func outline(_ result: ProbeResult) -> [String] {
  result.phases.map { phase in
    "\(phase.name) \(phase.ok ? "ok" : "FAIL") \(phase.errorKind?.rawValue ?? "-") \(phase.message)"
  }
}

/// The first two phases of a probe that reached `server`.
private func reached(_ server: LoopbackServer) -> [String] {
  ["dns ok - 127.0.0.1", "tcp ok - connected to 127.0.0.1:\(server.port)"]
}

@Suite struct ProberTests {
  @Test func aResolverThatFailsTemporarilyIsDnsTemporary() throws {
    let endpoint = try ProbeEndpoint(parsing: "http://vmagent:8429")
    let result = prober(.failure(.lookupFailed(code: EAI_AGAIN, systemErrno: 0)))
      .probe(.vmagent, at: endpoint)
    #expect(
      outline(result)
        == ["dns FAIL dns_temporary vmagent: temporary failure in name resolution (EAI_AGAIN)"])
    #expect(!result.healthy)
    #expect(result.addresses.isEmpty)
    #expect(result.resolver == containerResolver)
    #expect(result.diagnosis.map(\.kind) == [.dnsTemporary])
    #expect(result.diagnosis.first?.nextStep == "getent ahosts vmagent")
    #expect(result.diagnosis.first?.explanation.contains("(127.0.0.11)") == true)
  }

  @Test func aNameThatDoesNotExistIsDnsNotFound() throws {
    let endpoint = try ProbeEndpoint(parsing: "http://vmagnet:8429")
    let result = prober(.failure(.lookupFailed(code: EAI_NONAME, systemErrno: 0)))
      .probe(.vmagent, at: endpoint)
    #expect(
      outline(result) == ["dns FAIL dns_not_found vmagnet: name or service not known (EAI_NONAME)"])
    #expect(result.resolver == containerResolver)
    #expect(result.diagnosis.map(\.kind) == [.dnsNotFound])
  }

  @Test func aNameWithoutAddressIsNoAddress() throws {
    let endpoint = try ProbeEndpoint(parsing: "http://mail-only.example:8429")
    let result = prober(.failure(.noUsableAddress)).probe(.vmagent, at: endpoint)
    #expect(
      outline(result)
        == ["dns FAIL no_address mail-only.example: the name resolved to no IPv4 or IPv6 address"])
  }

  @Test func aClosedPortIsConnectionRefused() throws {
    let (placeholder, port) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let result = prober().probe(.vmagent, at: try ProbeEndpoint(parsing: "http://vmagent:\(port)"))
    #expect(
      outline(result) == [
        "dns ok - 127.0.0.1",
        "tcp FAIL connection_refused 127.0.0.1:\(port): connect: connection refused",
      ])
    #expect(result.resolver == nil)
    #expect(result.diagnosis.map(\.nextStep) == ["ss -ltnp 'sport = :\(port)'"])
  }

  @Test func aServerAnswering503IsHttpStatusWithTheBody() throws {
    let server = try LoopbackServer(
      status: 503, reason: "Service Unavailable", body: "storage is read-only\n")
    defer { server.stop() }
    let result = prober().probe(.vmagent, at: try ProbeEndpoint(parsing: server.url))
    #expect(
      outline(result) == reached(server) + [
        "http FAIL http_status GET /-/healthy answered 503 Service Unavailable:"
          + " \"storage is read-only\""
      ])
    #expect(result.diagnosis.map(\.nextStep) == ["curl -i \(server.url)/-/healthy"])
    #expect(server.requests.first?.hasPrefix("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1:") == true)
  }

  @Test func aListenerThatNeverAnswersTimesOutWithinTheLimit() throws {
    let server = try LoopbackServer(.silent)
    defer { server.stop() }
    let result = prober(timeout: 0.5).probe(.vmagent, at: try ProbeEndpoint(parsing: server.url))
    #expect(
      outline(result) == reached(server) + [
        "http FAIL timeout GET /-/healthy on 127.0.0.1:\(server.port):"
          + " no complete answer within the time limit"
      ])
    let seconds = try #require(result.phases.last?.seconds)
    #expect(seconds >= 0.5 && seconds < 1.0)
    #expect(
      result.diagnosis.first?.explanation
        == "127.0.0.1:\(server.port) accepted the connection but did not answer within 0.5 s:"
        + " vmagent is overloaded or hung, or something else listens on that port.")
  }

  @Test func aVmagentThatDropsDataIsDroppingData() throws {
    let page = """
      vmagent_remotewrite_pending_data_bytes{path="/q", url="1:secret-url"} 0
      vm_persistentqueue_blocks_dropped_total{path="/q"} 3
      vmagent_remotewrite_requests_total{url="1:secret-url", status_code="2XX"} 0
      vmagent_remotewrite_errors_total{url="1:secret-url"} 7
      """
    let server = try LoopbackServer(routes: ["/-/healthy": (200, "OK"), "/metrics": (200, page)])
    defer { server.stop() }
    let result = prober().probe(.vmagent, at: try ProbeEndpoint(parsing: server.url))
    #expect(
      outline(result) == reached(server) + [
        "http ok - GET /-/healthy: 200 OK",
        "metrics FAIL dropping_data vmagent has dropped data since it started:"
          + " vm_persistentqueue_blocks_dropped_total 3",
      ])
    #expect(result.diagnosis.map(\.kind) == [.droppingData, .unhealthy])
    guard case .vmagent(let queue) = result.facts else {
      Issue.record("no vmagent facts")
      return
    }
    #expect(queue.sendErrors == 7)
  }

  @Test func aPageThatIsNotVmagentsIsABadResponse() throws {
    let server = try LoopbackServer(
      routes: ["/-/healthy": (200, "OK"), "/metrics": (200, "node_load1 0.5\n")])
    defer { server.stop() }
    let result = prober().probe(.vmagent, at: try ProbeEndpoint(parsing: server.url))
    #expect(
      outline(result).last
        == "metrics FAIL bad_response GET /metrics holds no vmagent_ metric: \"node_load1 0.5\"")
  }

  @Test func victoriaMetricsFlagsAreReadBack() throws {
    let flags = "-retentionPeriod=\"100y\"\n-dedup.minScrapeInterval=\"30s\"\n"
    let server = try LoopbackServer(routes: ["/health": (200, "OK"), "/flags": (200, flags)])
    defer { server.stop() }
    let result = prober().probe(.victoriametrics, at: try ProbeEndpoint(parsing: server.url))
    #expect(result.healthy)
    #expect(
      outline(result).last
        == "flags ok - retentionPeriod=100y, dedup.minScrapeInterval=30s,"
        + " import.maxLineLen=104857600 (default), maxLabelsPerTimeseries=30 (default)")
    #expect(
      result.facts
        == .victoriaMetrics(
          VictoriaMetricsFlags(values: [
            "retentionPeriod": "100y", "dedup.minScrapeInterval": "30s",
          ])))
  }

  @Test(arguments: [
    ("", "retentionPeriod=1 (months, default)"),
    ("-retentionPeriod=\"3\"\n", "retentionPeriod=3 (months)"),
    ("-retentionPeriod=\"2w\"\n", "retentionPeriod=2w"),
  ])
  func aRetentionWithoutAUnitIsSaidToBeInMonths(flags: String, shown: String) throws {
    let server = try LoopbackServer(routes: ["/health": (200, "OK"), "/flags": (200, flags)])
    defer { server.stop() }
    let result = prober().probe(.victoriametrics, at: try ProbeEndpoint(parsing: server.url))
    #expect(outline(result).last?.hasPrefix("flags ok - \(shown), dedup.minScrapeInterval=") == true)
  }

  @Test func aSampleThatNeverComesBackFailsTheWriteTest() throws {
    let server = try LoopbackServer(routes: [
      "/health": (200, "OK"), "/flags": (200, ""), "/api/v1/import/prometheus": (204, ""),
      "/internal/force_flush": (200, ""), "/api/v1/export": (200, ""),
    ])
    defer { server.stop() }
    let endpoint = try ProbeEndpoint(parsing: server.url)
    var writing = prober(timeout: 0.6)
    writing.writeTestReader = endpoint
    let result = writing.probe(.victoriametrics, at: endpoint)
    let series = try #require(result.writeTestSeries)
    #expect(series.hasPrefix("arraytool_probe_write_test{probe_id=\""))
    #expect(
      outline(result).last
        == "write_test FAIL write_test_failed \(series) was written to \(server.url) but not read"
        + " back from \(server.url) in time (not there yet)")
    let written = try #require(server.requests.first { $0.hasPrefix("POST ") })
    #expect(written.hasPrefix("POST /api/v1/import/prometheus HTTP/1.1\r\n"))
    #expect(written.contains("\r\n\r\n\(series) 1 "))
    #expect(
      server.requests.contains { $0.hasPrefix("GET /api/v1/export?match%5B%5D=%7B__name__%3D") })
  }

  @Test func aReadBackServerThatIsNotThereIsSaidAtOnce() throws {
    let server = try LoopbackServer(routes: [
      "/health": (200, "OK"), "/flags": (200, ""), "/api/v1/import/prometheus": (204, ""),
    ])
    defer { server.stop() }
    let (placeholder, closedPort) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let endpoint = try ProbeEndpoint(parsing: server.url)
    var writing = prober(timeout: 8)
    writing.writeTestReader = try ProbeEndpoint(parsing: "http://127.0.0.1:\(closedPort)")
    let started = Date()
    let result = writing.probe(.victoriametrics, at: endpoint)
    // Not the whole time the write test is given to read the sample back.
    #expect(Date().timeIntervalSince(started) < 4)
    let series = try #require(result.writeTestSeries)
    #expect(
      outline(result).last
        == "write_test FAIL write_test_failed \(series) was written to \(server.url), but it cannot"
        + " be read back: nothing answers at http://127.0.0.1:\(closedPort) (127.0.0.1:\(closedPort):"
        + " connect: connection refused)")
    let diagnosis = try #require(result.diagnosis.last)
    #expect(diagnosis.explanation.hasPrefix(
      "The test sample was written, but the VictoriaMetrics to read it back from cannot be reached"))
    #expect(diagnosis.nextStep
      == "arraytool probe victoriametrics --url \(server.url) --vm-url http://HOST:8428 --write-test")
  }

  @Test func waitingRetriesUntilTheServerIsHealthy() throws {
    final class Counter: @unchecked Sendable {
      let lock = NSLock()
      var count = 0
      func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
      }
    }
    let counter = Counter()
    let server = try LoopbackServer(
      .respond { request in
        if request.hasPrefix("GET /metrics ") {
          return LoopbackServer.response(
            status: 200, reason: "OK", body: "vmagent_remotewrite_conns 1\n",
            contentType: "text/plain")
        }
        let healthy = counter.next() >= 3
        return LoopbackServer.response(
          status: healthy ? 200 : 503, reason: healthy ? "OK" : "Service Unavailable",
          body: healthy ? "OK" : "starting", contentType: "text/plain")
      })
    defer { server.stop() }
    var retries: [String] = []
    let result = prober().probe(.vmagent, at: try ProbeEndpoint(parsing: server.url), wait: 10) {
      failed, _ in retries.append(failed.firstErrorKind?.rawValue ?? "-")
    }
    #expect(result.healthy)
    #expect(result.attempts == 3)
    #expect(retries == ["http_status", "http_status"])
  }

  @Test func waitingGivesUpWhenTheTimeIsUp() throws {
    let (placeholder, port) = try LoopbackSocket.bound()
    defer { close(placeholder) }
    let started = Deadline.now()
    let result = prober().probe(
      .vmagent, at: try ProbeEndpoint(parsing: "http://127.0.0.1:\(port)"), wait: 1.5)
    let took = Deadline.now() - started
    #expect(result.firstErrorKind == .connectionRefused)
    #expect(result.attempts == 3)
    #expect(took >= 1.5 && took < 2.5)
  }
}
