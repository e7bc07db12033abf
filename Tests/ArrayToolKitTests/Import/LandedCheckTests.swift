// The landed check's reading of counts: a surplus is reported only once two readings agree, so
// that samples still becoming searchable are not left out of the count it prints.

import Foundation
import Testing

@testable import ArrayToolKit

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.serialized) struct LandedCheckTests {
  static let key = SeriesKey(
    name: "huawei_iops", element: "lun", resource: "LUN", serial: "SN1", interval: 60)

  /// What was sent of `key`: `count` samples a minute apart from `first`.
  static func sent(_ count: Int, from first: Int64 = 1_758_758_400_000) -> SampleSet {
    var samples = SampleSet()
    for index in 0..<count { samples.add(timestamp: first + Int64(index) * 60_000) }
    return samples
  }

  /// One /api/v1/export line of `count` samples of `key`.
  static func exportLine(_ count: Int) -> String {
    let values = Array(repeating: "1", count: count).joined(separator: ",")
    let stamps = (0..<count).map { String(1_758_758_400_000 + $0 * 60_000) }.joined(separator: ",")
    return "{\"metric\":{\"__name__\":\"huawei_iops\",\"Element\":\"lun\",\"Resource\":\"LUN\","
      + "\"SN\":\"SN1\",\"scrape_interval\":\"60\"},\"values\":[\(values)],"
      + "\"timestamps\":[\(stamps)]}\n"
  }

  /// 240 sent, 480 stored, of which 465 are searchable at the first reading: the check reads
  /// again until the count stops moving, and reports 480.
  @Test func aSurplusIsReportedOnceTwoReadingsAgree() throws {
    // Each round is a flush, then the export.
    let server = try ScriptedHTTPServer(script: [
      (204, ""), (200, Self.exportLine(465)),
      (204, ""), (200, Self.exportLine(480)),
      (204, ""), (200, Self.exportLine(480)),
    ])
    defer { server.stop() }
    let check = LandedCheck(
      queries: [try ProbeEndpoint(parsing: server.url)], agents: [], timeout: 30)
    let result = check.run(expected: [Self.key: Self.sent(240)], first: 1_758_758_400_000,
                           last: 1_758_758_400_000 + 480 * 60_000)
    #expect(result.error == nil)
    #expect(result.expectedSamples == 240)
    #expect(result.foundSamples == 480)
    #expect(result.differences == [
      LandedResult.Difference(series: LandedCheck.describe(Self.key), sent: 240, found: 480)
    ])
    let exports = server.requests.filter { $0.path.hasPrefix("/api/v1/export") }.map(\.path)
    #expect(exports.count == 3)
    // Each reading a new search, which VictoriaMetrics does not answer from its series cache.
    #expect(Set(exports).count == 3)
  }

  /// The same export sent twice with --force into a VictoriaMetrics without deduplication: the
  /// report holds the whole surplus, exactly twice every series.
  @Test func anExportSentTwiceIsCountedTwiceExactly() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let scratch = try ScratchDirectory()
      let (path, _) = try ImportIntegrationTests.export(
        files: 2, start: 1_737_504_000, in: scratch)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      let command = ["import", "--url", storage.url, "--json", path]
      _ = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command, environment: state), status: 0)
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(command + ["--force"], environment: state), status: 1)
      #expect(report["samples_sent"] as? Int == 16_800)
      let landed = report["landed"] as? [String: Any]
      #expect(landed?["passed"] as? Bool == false)
      #expect(landed?["duplicates_likely"] as? Bool == true)
      #expect(landed?["expected_samples"] as? Int == 16_800)
      #expect(landed?["found_samples"] as? Int == 33_600)
      let seconds = try #require((landed?["seconds"] as? NSNumber)?.doubleValue)
      #expect(seconds >= 0 && seconds < 120)
      let differences = landed?["differences"] as? [[String: Any]] ?? []
      #expect(differences.count == 280)
      #expect(differences.allSatisfy { $0["sent"] as? Int == 60 && $0["found"] as? Int == 120 })
    }
  }

  /// An export imported straight into VictoriaMetrics, then through a vmagent that writes to
  /// it: the second copy sits in vmagent's buffer, in none of its queues, for up to its flush
  /// interval, and a count taken at once found exactly the first copy and passed. The check
  /// waits that long first, and reports every sample twice.
  @Test func anImportStoredTwiceThroughVmagentIsNotPassedBeforeVmagentFlushes() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let scratch = try ScratchDirectory()
      let (path, _) = try ImportIntegrationTests.export(
        files: 1, start: 1_738_368_000, in: scratch)
      let state = ["ARRAYTOOL_STATE_DIR": scratch.path + "/state"]
      _ = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(["import", "--url", storage.url, "--json", path], environment: state),
        status: 0)
      let report = try ImportIntegrationTests.expectReport(
        BinaryRunner.run(
          ["import", "--url", agent.url, "--query-url", storage.url, "--json", path],
          environment: state),
        status: 1)
      let landed = report["landed"] as? [String: Any]
      #expect(landed?["passed"] as? Bool == false)
      #expect(landed?["duplicates_likely"] as? Bool == true)
      #expect(landed?["expected_samples"] as? Int == 8_400)
      #expect(landed?["found_samples"] as? Int == 16_800)
    }
  }

  /// Every target is asked whether it is a vmagent; a VictoriaMetrics is none, so a check
  /// straight into it starts counting at once, and one through vmagent waits its flush
  /// interval and a second.
  @Test func onlyAVmagentTargetDelaysTheFirstCount() throws {
    try VictoriaMetricsServer.withVmagentAndVictoriaMetrics { agent, storage in
      let store = try ProbeEndpoint(parsing: storage.url)
      let direct = LandedCheck(queries: [store], agents: [store], timeout: 5)
      #expect(direct.agentFlushInterval() == 0)
      let through = LandedCheck(
        queries: [store], agents: [store, try ProbeEndpoint(parsing: agent.url)], timeout: 5)
      let interval = through.agentFlushInterval()
      #expect(interval > 0)
      #expect(LandedCheck.firstCountDelay(agentFlushInterval: interval) == interval + 1)
    }
    #expect(LandedCheck.firstCountDelay(agentFlushInterval: 0) == 0)
    #expect(LandedCheck.firstCountDelay(agentFlushInterval: 5) == 6)
  }

  /// A target whose flags cannot be read (a vmagent behind -flagsAuthKey) may be a vmagent
  /// holding the last samples: it is waited for with the default interval, or an export
  /// imported twice, once straight and once through it, could pass the check.
  @Test func aTargetWhoseFlagsCannotBeReadIsWaitedForAsAVmagent() throws {
    let guarded = try LoopbackServer(.respond { _ in
      LoopbackServer.response(
        status: 401, reason: "Unauthorized", body: "authKey required", contentType: "text/plain")
    })
    defer { guarded.stop() }
    let check = LandedCheck(
      queries: [], agents: [try ProbeEndpoint(parsing: "http://127.0.0.1:\(guarded.port)")],
      timeout: 5)
    #expect(check.agentFlushInterval() == 1)
    #expect(LandedCheck.firstCountDelay(agentFlushInterval: check.agentFlushInterval()) == 2)
  }

  /// Each count is a search of its own, with a filter on a label no series has
  /// (`arraytool_search!="…"`): against a real VictoriaMetrics it still matches every series of
  /// the array, and a count right after one that found nothing sees what was stored between.
  @Test func aCountRightAfterOneThatFoundNothingSeesWhatWasStoredBetween() throws {
    try VictoriaMetricsServer.withVictoriaMetrics { storage in
      let first: Int64 = 1_741_046_400_000
      var check = LandedCheck(
        queries: [try ProbeEndpoint(parsing: storage.url)], agents: [], timeout: 30)
      check.shouldStop = { false }
      func count() throws -> SampleSet {
        var found: [SeriesKey: SampleSet] = [:]
        var unreadable = 0
        let query = try ProbeEndpoint(parsing: storage.url)
        check.flush(query, until: Deadline(seconds: 5))
        try check.count(
          serial: "SN1", in: query, first: first, last: first + 239 * 60_000,
          until: Deadline(seconds: 10), into: &found, unreadable: &unreadable)
        #expect(unreadable == 0)
        return found[Self.key] ?? SampleSet()
      }
      #expect(try count() == SampleSet())
      let line = Self.exportLine(240).replacingOccurrences(
        of: "1758758400000", with: "\(first)")
      let stamps = (0..<240).map { String(first + Int64($0) * 60_000) }
      let body = line.components(separatedBy: "\"timestamps\":[")[0] + "\"timestamps\":["
        + stamps.joined(separator: ",") + "]}\n"
      let sender = HTTPSender(timeout: 10, connections: 1, credentials: .none)
      #expect(sender.post(
        Data(body.utf8), to: URL(string: storage.url + "/api/v1/import")!, gzipped: false) == nil)
      // What the server holds is what was sent, timestamps and all.
      #expect(try count() == Self.sent(240, from: first))
    }
  }

  /// The export is asked in whole seconds: samples of the series in the first and last second
  /// but outside the milliseconds the import spans are not the import's, and not counted.
  @Test func onlySamplesWithinTheImportedSpanAreCounted() throws {
    let first: Int64 = 1_758_758_400_500
    let inside = (0..<240).map { String(first + Int64($0) * 60_000) }
    let stamps = [String(first - 1)] + inside + [String(first + 239 * 60_000 + 1)]
    let line =
      "{\"metric\":{\"__name__\":\"huawei_iops\",\"Element\":\"lun\",\"Resource\":\"LUN\","
      + "\"SN\":\"SN1\",\"scrape_interval\":\"60\"},\"values\":["
      + Array(repeating: "1", count: stamps.count).joined(separator: ",")
      + "],\"timestamps\":[\(stamps.joined(separator: ","))]}\n"
    let server = try ScriptedHTTPServer(script: [(204, ""), (200, line)])
    defer { server.stop() }
    let check = LandedCheck(
      queries: [try ProbeEndpoint(parsing: server.url)], agents: [], timeout: 30)
    let result = check.run(
      expected: [Self.key: Self.sent(240, from: first)], first: first, last: first + 239 * 60_000)
    #expect(result.passed)
    #expect(result.foundSamples == 240)
  }

  /// A line that is not VictoriaMetrics' JSON line makes the counts untrustworthy: the check
  /// says so instead of calling the samples in it missing.
  @Test func anUnreadableExportLineIsReportedNotCountedAsMissing() throws {
    let server = try ScriptedHTTPServer(script: [
      (204, ""), (200, "{\"metric\":{\"SN\":\"SN1\"},\"timestamps\":[1.5]}\n" + Self.exportLine(240)),
    ])
    defer { server.stop() }
    let check = LandedCheck(
      queries: [try ProbeEndpoint(parsing: server.url)], agents: [], timeout: 30)
    let result = check.run(expected: [Self.key: Self.sent(240)], first: 1_758_758_400_000,
                           last: 1_758_758_400_000 + 240 * 60_000)
    #expect(result.error == "1 line of the export could not be read as VictoriaMetrics JSON lines "
      + "(labels and integer timestamps): the counts cannot be trusted")
    #expect(server.requests.filter { $0.path.hasPrefix("/api/v1/export") }.count == 1)
  }

  /// A server that never ends its answer, or never starts it, holds the check no longer than
  /// its timeout, and Ctrl-C ends it sooner.
  @Test(arguments: [true, false])
  func anEndlessOrSilentExportEndsAtTheTimeoutOrOnCtrlC(endless: Bool) throws {
    let (listener, port) = try LoopbackSocket.listen()
    let line = Array(Self.exportLine(1).utf8)
    let serving = Thread {
      while true {
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        Thread {
          defer { close(connection) }
          let request = LoopbackSocket.readRequest(connection)
          guard request.contains("/api/v1/export") else {
            LoopbackSocket.write(Array("HTTP/1.1 204 No Content\r\n\r\n".utf8), to: connection)
            return
          }
          guard endless else {
            Thread.sleep(forTimeInterval: 30)
            return
          }
          LoopbackSocket.write(Array("HTTP/1.1 200 OK\r\n\r\n".utf8), to: connection)
          var sent = 0
          repeat {
            sent = line.withUnsafeBytes {
              send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
          } while sent > 0
        }.start()
      }
    }
    serving.start()
    defer {
      shutdown(listener, Int32(SHUT_RDWR))
      close(listener)
    }
    let endpoint = try ProbeEndpoint(parsing: "http://127.0.0.1:\(port)")
    let started = Date()
    let timedOut = LandedCheck(queries: [endpoint], agents: [], timeout: 2)
      .run(expected: [Self.key: Self.sent(240)], first: 1_758_758_400_000, last: 1_758_758_400_000)
    let took = Date().timeIntervalSince(started)
    #expect(timedOut.error?.hasSuffix(": no complete answer within the time limit") == true,
            "\(timedOut.error ?? "no error")")
    #expect(took >= 1.9 && took < 6, "took \(took) s")

    var interrupted = LandedCheck(queries: [endpoint], agents: [], timeout: 60)
    let asked = Date().addingTimeInterval(0.5)
    interrupted.shouldStop = { Date() >= asked }
    let stopped = interrupted.run(
      expected: [Self.key: Self.sent(240)], first: 1_758_758_400_000, last: 1_758_758_400_000)
    #expect(stopped.error == LandedCheck.interruptedMessage)
    #expect(Date().timeIntervalSince(asked) < 2)
  }

  /// One export line of `key` with the given timestamps.
  static func exportLine(timestamps: [Int64]) -> String {
    let values = Array(repeating: "1", count: timestamps.count).joined(separator: ",")
    return "{\"metric\":{\"__name__\":\"huawei_iops\",\"Element\":\"lun\",\"Resource\":\"LUN\","
      + "\"SN\":\"SN1\",\"scrape_interval\":\"60\"},\"values\":[\(values)],"
      + "\"timestamps\":[\(timestamps.map(String.init).joined(separator: ","))]}\n"
  }

  /// As many samples as were sent, at other times: the first half stored twice (a batch sent
  /// again) and the second half lost, or every time but the last moved 30 s on (the last stays
  /// where the import's span ends). A count passes both; the check does not, says so once two
  /// readings agree, and the report tells what it means.
  @Test(arguments: ["doubled half", "moved"])
  func asManySamplesAtOtherTimestampsFail(kind: String) throws {
    let first: Int64 = 1_758_758_400_000
    let minutes = (0..<240).map { first + Int64($0) * 60_000 }
    let stored = kind == "moved"
      ? minutes.dropLast().map { $0 + 30_000 } + [minutes[239]]
      : Array(minutes[..<120] + minutes[..<120])
    let line = Self.exportLine(timestamps: Array(stored))
    let server = try ScriptedHTTPServer(script: [(204, ""), (200, line), (204, ""), (200, line)])
    defer { server.stop() }
    let check = LandedCheck(
      queries: [try ProbeEndpoint(parsing: server.url)], agents: [], timeout: 30)
    let result = check.run(
      expected: [Self.key: Self.sent(240)], first: first, last: first + 239 * 60_000)
    #expect(result.error == nil)
    #expect(result.foundSamples == 240)
    #expect(result.differences == [
      LandedResult.Difference(
        series: LandedCheck.describe(Self.key), sent: 240, found: 240, otherTimestamps: true)
    ])
    #expect(server.requests.filter { $0.path.hasPrefix("/api/v1/export") }.count == 2)
    let lines = ImportReport.landedLines(result)
    #expect(lines.first == "  landed:      CHECK FAILED: 240 of 240 samples found; 1 series differ:")
    #expect(lines.contains(
      "    as many samples as were sent, but not at the times sent: some were stored twice and as "
        + "many lost, or something on the way rewrote their times (vmagent's stream aggregation "
        + "or relabelling, a proxy); import again with --force after removing the series, or "
        + "into a fresh database"))
    #expect(lines.last == "    \(LandedCheck.describe(Self.key)): sent 240, found 240, at other timestamps")
  }
}

extension LandedCheckTests {
  /// Nothing at all found after an import through vmagent: --query-url may not be where vmagent
  /// writes, and the report says so before anyone imports again.
  @Test func nothingFoundThroughVmagentPointsAtTheQueryURL() throws {
    let server = try ScriptedHTTPServer(script: [], fallback: (200, ""))
    defer { server.stop() }
    // A vmagent that is not there: its queue and flags cannot be read, which the check passes.
    let (listener, port) = try LoopbackSocket.listen()
    close(listener)
    let check = LandedCheck(
      queries: [try ProbeEndpoint(parsing: server.url)],
      agents: [try ProbeEndpoint(parsing: "http://127.0.0.1:\(port)")], timeout: 1)
    let result = check.run(
      expected: [Self.key: Self.sent(240)], first: 1_758_758_400_000,
      last: 1_758_758_400_000 + 239 * 60_000)
    #expect(result.throughAgent)
    #expect(result.foundSamples == 0)
    let lines = ImportReport.landedLines(result)
    // The hint to import again is left out: it would store everything twice where it landed.
    #expect(lines.count == 3)
    #expect(lines[1] == "    nothing of the import was found in \(server.url)/api/v1/export: if that "
      + "is not the VictoriaMetrics vmagent writes to (its -remoteWrite.url), the samples may be "
      + "stored there; give that one as --query-url before importing anything again")
    #expect(!lines.contains { $0.hasPrefix("    samples are missing: ") })
    var direct = result
    direct.throughAgent = false
    let directLines = ImportReport.landedLines(direct)
    #expect(!directLines.contains { $0.contains("nothing of the import") })
    #expect(directLines[1].hasPrefix("    samples are missing: "))
  }
}

extension LandedCheckTests {
  /// The verdict of a run whose landed check failed says whether the server accepted batches
  /// this time: after a run that sent nothing (all of it sent before), none did.
  @Test func theVerdictOfAFailedCheckSaysWhetherAnythingWasSent() {
    var result = ImportResult()
    var landed = LandedResult(queryURL: "http://vm:8428/api/v1/export")
    landed.differences = [LandedResult.Difference(series: "s", sent: 60, found: 120)]
    #expect(ImportReport.verdict(result, landed: landed)
      == "nothing was sent, but the landed check did NOT pass")
    result.batchesSent = 2
    #expect(ImportReport.verdict(result, landed: landed)
      == "the server accepted every batch, but the landed check did NOT pass")
    landed.error = "export answered 500"
    #expect(ImportReport.verdict(result, landed: landed)
      == "the server accepted every batch, but the landed check could not be done")
  }
}

@Suite struct SampleSetTests {
  static func samples(_ timestamps: [Int64]) -> SampleSet {
    var set = SampleSet()
    for timestamp in timestamps { set.add(timestamp: timestamp) }
    return set
  }

  @Test func theOrderOfSamplesDoesNotMatterButEachTimestampDoes() {
    let minutes = (0..<240).map { 1_758_758_400_000 + Int64($0) * 60_000 }
    let sent = Self.samples(minutes)
    #expect(sent.count == 240)
    #expect(Self.samples(minutes.reversed()) == sent)
    #expect(Self.samples(minutes.shuffled()) == sent)
    // Added up from parts, in any grouping, as files and batches add them.
    var parts = Self.samples(Array(minutes[120...]))
    parts.add(Self.samples(Array(minutes[..<120])))
    #expect(parts == sent)
    // One timestamp moved by a millisecond, one stored twice in place of another, all moved a
    // minute on: the same count, another print.
    var moved = minutes
    moved[17] += 1
    #expect(Self.samples(moved).count == 240 && Self.samples(moved) != sent)
    var doubled = minutes
    doubled[200] = doubled[199]
    #expect(Self.samples(doubled) != sent)
    #expect(Self.samples(minutes.map { $0 + 60_000 }) != sent)
    // Two timestamps swapping their low bits, which a plain sum would not see.
    #expect(Self.samples([0b01, 0b10]) != Self.samples([0b00, 0b11]))
  }

  @Test func removingGivesWhatIsLeft() {
    let all = Self.samples([10, 20, 30, 40])
    let part = Self.samples([20, 40])
    #expect(all.removing(part) == Self.samples([10, 30]))
    #expect(all.removing(part).count == 2)
    #expect(all.removing(all) == SampleSet())
  }
}
