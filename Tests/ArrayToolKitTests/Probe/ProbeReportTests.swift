// The two forms of a probe result: the text report (marks, timings, wrapping, diagnosis) and the
// `--json` object with its documented fields.

import Foundation
import Testing

@testable import ArrayToolKit

/// A vmagent probe that failed at DNS, as the prober would leave it.
private func failedLookup() throws -> ProbeResult {
  var result = ProbeResult(
    target: .vmagent, endpoint: try ProbeEndpoint(parsing: "http://vmagent:8429"))
  result.phases = [
    ProbePhase(
      name: "dns", ok: false, seconds: 0.0123456, errorKind: .dnsTemporary,
      message: "vmagent: temporary failure in name resolution (EAI_AGAIN)")
  ]
  result.resolver = ResolverConfiguration.parse(
    "nameserver 127.0.0.11\noptions ndots:0\n", source: "/etc/resolv.conf")
  result.diagnosis = [
    Diagnosis(
      kind: .dnsTemporary, explanation: "The resolver did not answer.",
      nextStep: "getent ahosts vmagent")
  ]
  return result
}

/// A healthy VictoriaMetrics probe.
private func healthyStorage() throws -> ProbeResult {
  var result = ProbeResult(
    target: .victoriametrics, endpoint: try ProbeEndpoint(parsing: "http://127.0.0.1:8428"))
  result.addresses = [ResolvedAddress(ip: "127.0.0.1", port: 8428)!]
  result.phases = [
    ProbePhase(name: "dns", ok: true, seconds: 0.0004, errorKind: nil, message: "127.0.0.1"),
    ProbePhase(
      name: "tcp", ok: true, seconds: 0.0002, errorKind: nil, message: "connected to 127.0.0.1:8428"
    ),
    ProbePhase(
      name: "http", ok: true, seconds: 0.0011, errorKind: nil, message: "GET /health: 200 OK"),
    ProbePhase(
      name: "flags", ok: true, seconds: 0.0015, errorKind: nil, message: "retentionPeriod=100y"),
  ]
  result.facts = .victoriaMetrics(VictoriaMetricsFlags(values: ["retentionPeriod": "100y"]))
  return result
}

@Suite struct ProbeReportTests {
  @Test func aFailureShowsThePhaseTheResolverAndTheNextStep() throws {
    let text = ProbeReport(symbols: false, colour: false).render(try failedLookup())
    #expect(
      text == """
        vmagent at http://vmagent:8429: UNHEALTHY (dns_temporary)
          FAIL  dns           12.3 ms  vmagent: temporary failure in name resolution (EAI_AGAIN)
          resolver: nameserver 127.0.0.11; no search domain; ndots 0; timeout 5 s, 2 attempts
            (/etc/resolv.conf)

          dns_temporary: The resolver did not answer.
          next: getent ahosts vmagent

        """)
  }

  @Test func aTerminalGetsMarksInsteadOfWords() throws {
    let text = ProbeReport(symbols: true, colour: false).render(try healthyStorage())
    #expect(
      text == """
        VictoriaMetrics at http://127.0.0.1:8428: healthy
          ✓  dns            0.4 ms  127.0.0.1
          ✓  tcp            0.2 ms  connected to 127.0.0.1:8428
          ✓  http           1.1 ms  GET /health: 200 OK
          ✓  flags          1.5 ms  retentionPeriod=100y

        """)
    let coloured = ProbeReport(symbols: true, colour: true).render(try healthyStorage())
    #expect(coloured.contains("\u{1B}[32m✓\u{1B}[0m  dns"))
  }

  @Test func longPhaseMessagesAreWrappedUnderThemselves() throws {
    var result = try healthyStorage()
    result.phases[3].message = Array(repeating: "maxLabelsPerTimeseries=30", count: 4)
      .joined(separator: ", ")
    let text = ProbeReport(symbols: true, colour: true).render(result)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(
      lines[4] == "  \u{1B}[32m✓\u{1B}[0m  flags          1.5 ms  maxLabelsPerTimeseries=30,"
        + " maxLabelsPerTimeseries=30,")
    #expect(
      lines[5] == String(repeating: " ", count: 28)
        + "maxLabelsPerTimeseries=30, maxLabelsPerTimeseries=30")
    #expect(lines.count == 6)
  }

  @Test func longExplanationsAreWrappedUnderTheirKind() {
    let report = ProbeReport(symbols: false, colour: false)
    let words = Array(repeating: "resolver", count: 14).joined(separator: " ")
    let wrapped = report.wrap("dns_temporary: \(words)", indent: "  ")
    let lines = wrapped.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.allSatisfy { $0.count <= 100 })
    #expect(lines[1].hasPrefix("    resolver"))
  }

  @Test func jsonHasTheDocumentedFields() throws {
    let failed = try failedLookup().jsonLine()
    #expect(
      failed
        == #"{"addresses":[],"attempts":1,"diagnosis":[{"#
        + #""explanation":"The resolver did not answer.","kind":"dns_temporary","#
        + #""next_step":"getent ahosts vmagent"}],"error_kind":"dns_temporary","#
        + #""facts":null,"healthy":false,"phases":[{"error_kind":"dns_temporary","#
        + #""message":"vmagent: temporary failure in name resolution (EAI_AGAIN)","#
        + #""name":"dns","ok":false,"seconds":0.012346}],"#
        + #""resolver":{"attempts":2,"nameservers":["127.0.0.11"],"ndots":0,"search":[],"#
        + #""source":"/etc/resolv.conf","timeout":5,"unreadable":null},"target":"vmagent","#
        + #""url":"http://vmagent:8429","write_test":null}"#)

    let healthy = try JSONSerialization.jsonObject(with: Data(try healthyStorage().jsonLine().utf8))
    let object = try #require(healthy as? [String: Any])
    #expect(object["healthy"] as? Bool == true)
    #expect(object["error_kind"] is NSNull)
    #expect(object["addresses"] as? [String] == ["127.0.0.1"])
    let facts = try #require(object["facts"] as? [String: Any])
    #expect(facts["retention_seconds"] as? Double == 3_153_600_000)
    #expect(facts["flags_set"] as? [String] == ["retentionPeriod"])
    #expect(
      facts["flags"] as? [String: String] == [
        "retentionPeriod": "100y", "dedup.minScrapeInterval": "0s",
        "import.maxLineLen": "104857600", "maxLabelsPerTimeseries": "30",
      ])
  }

  @Test func everyKindHasAnExplanationAndACommand() throws {
    let context = Diagnosis.Context(
      target: .vmagent, endpoint: try ProbeEndpoint(parsing: "http://vmagent:8429"), timeout: 5,
      resolver: nil, address: nil)
    for kind in ProbeErrorKind.allCases {
      let diagnosis = Diagnosis.explain(ProbeFailure(kind, "x"), in: context)
      #expect(diagnosis.kind == kind)
      #expect(diagnosis.explanation.count > 40)
      #expect(!diagnosis.nextStep.isEmpty)
    }
    #expect(Diagnosis.shellQuoted("http://vm:8428/health") == "http://vm:8428/health")
  }

  @Test func aHealthCheckRefusedUnderAPathSaysWhereTheAPIIs() throws {
    let prefixed = Diagnosis.Context(
      target: .vmagent, endpoint: try ProbeEndpoint(parsing: "http://vm:8428/insert/0/prometheus"),
      timeout: 5, resolver: nil, address: nil)
    let refused = ProbeFailure(
      .httpStatus,
      "GET /-/healthy answered 400 Bad Request: \"unsupported path requested: "
        + "\"/insert/0/prometheus/-/healthy\"\"")
    let diagnosis = Diagnosis.explain(refused, in: prefixed)
    #expect(
      diagnosis.explanation
        == "vm:8428 answers, but serves nothing under /insert/0/prometheus: a vmagent or a "
        + "single-node VictoriaMetrics takes imports at its root (http://vm:8428), and a path such "
        + "as /insert/0/prometheus belongs to a cluster's vminsert. If this is a vmagent or a "
        + "single-node VictoriaMetrics, give the URL without the path.")
    #expect(diagnosis.nextStep == "arraytool probe vmagent --url http://vm:8428")
    let root = Diagnosis.Context(
      target: .vmagent, endpoint: try ProbeEndpoint(parsing: "http://vm:8429"), timeout: 5,
      resolver: nil, address: nil)
    let unavailable = Diagnosis.explain(
      ProbeFailure(.httpStatus, "GET /-/healthy answered 503 Service Unavailable"), in: root)
    #expect(
      unavailable.explanation
        == "vmagent is reachable but its health check did not answer 200 (GET /-/healthy "
        + "answered 503 Service Unavailable); vmagent's own log usually says more.")
    #expect(unavailable.nextStep == "curl -i http://vm:8429/-/healthy")
    #expect(Diagnosis.shellQuoted("it's") == #"'it'\''s'"#)
  }
}
