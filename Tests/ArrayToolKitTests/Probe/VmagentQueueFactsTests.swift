// vmagent's /metrics page: the sample parser, the queue, drop and remote-write facts, and the
// limits that turn them into findings.

import Testing

@testable import ArrayToolKit

/// vmagent 1.79's /metrics lines for one remote-write URL, with the numbers given.
private func metricsPage(
  pending: Int = 0, onDisk: Int = 0, blocksDropped: Int = 0, packetsDropped: Int = 0,
  relabelled: Int = 0, accepted: Int = 0, refused: Int = 0, errors: Int = 0, retries: Int = 0
) -> String {
  let queue = "path=\"/var/lib/vmagent/persistent-queue/1_1C39D330F1670079\""
  return """
    # HELP is not written by vmagent 1.79 but a page may carry it
    flag{name="remoteWrite.url", value="secret"} 1
    vm_persistentqueue_blocks_dropped_total{\(queue)} \(blocksDropped)
    vm_persistentqueue_bytes_pending{\(queue)} \(onDisk)
    vmagent_remotewrite_packets_dropped_total{url="1:secret-url"} \(packetsDropped)
    vmagent_remotewrite_relabel_metrics_dropped_total{\(queue), url="1:secret-url"} \(relabelled)
    vmagent_remotewrite_pending_data_bytes{\(queue), url="1:secret-url"} \(pending)
    vmagent_remotewrite_requests_total{url="1:secret-url", status_code="2XX"} \(accepted)
    vmagent_remotewrite_requests_total{url="1:secret-url", status_code="400"} \(refused)
    vmagent_remotewrite_errors_total{url="1:secret-url"} \(errors)
    vmagent_remotewrite_retries_count_total{url="1:secret-url"} \(retries)
    """
}

private func facts(_ page: String) -> VmagentQueueFacts {
  var facts = VmagentQueueFacts()
  for line in page.split(separator: "\n") { facts.add(line: String(line)) }
  return facts
}

@Suite struct VmagentQueueFactsTests {
  @Test func samplesAreReadWithLabelsAndSpecialValues() throws {
    let sample = try #require(
      PrometheusSample(
        line: #"vmagent_remotewrite_requests_total{url="1:a,b", status_code="2XX"} 17"#))
    #expect(sample.name == "vmagent_remotewrite_requests_total")
    #expect(sample.labels == ["url": "1:a,b", "status_code": "2XX"])
    #expect(sample.value == 17)
    let escaped = try #require(PrometheusSample(line: #"m{a="x\"y\\z\n"} +Inf 1700000000000"#))
    #expect(escaped.labels == ["a": "x\"y\\z\n"])
    #expect(escaped.value == .infinity)
    #expect(PrometheusSample(line: "vm_rows 1.5e3")?.value == 1500)
    #expect(PrometheusSample(line: "# TYPE vm_rows counter") == nil)
    #expect(PrometheusSample(line: #"broken{a="x} 1"#) == nil)
    #expect(PrometheusSample(line: "no_value") == nil)
    #expect(PrometheusSample(line: "2bad 1") == nil)
  }

  @Test func aQuietVmagentIsHealthy() {
    let quiet = facts(metricsPage(accepted: 12, retries: 0))
    #expect(quiet.sawVmagentMetrics)
    #expect(quiet.findings.isEmpty)
    #expect(
      quiet.dropped == [
        "vm_persistentqueue_blocks_dropped_total": 0,
        "vmagent_remotewrite_packets_dropped_total": 0,
      ])
    #expect(
      quiet.summary
        == "queue 0 B pending (0 B on disk), nothing dropped; remote write 12 accepted,"
        + " 0 refused, 0 send errors, 0 retries")
  }

  @Test func relabellingDropsAreNotLostData() {
    #expect(facts(metricsPage(relabelled: 500, accepted: 3)).findings.isEmpty)
  }

  @Test func droppedBlocksAreDroppingData() {
    let found = facts(metricsPage(blocksDropped: 2, packetsDropped: 5, accepted: 9)).findings
    #expect(
      found == [
        ProbeFailure(
          .droppingData,
          "vmagent has dropped data since it started: vm_persistentqueue_blocks_dropped_total 2,"
            + " vmagent_remotewrite_packets_dropped_total 5")
      ])
  }

  @Test func aQueueAboveSixteenMebibytesIsABacklog() {
    let limit = VmagentQueueFacts.backlogThresholdBytes
    #expect(facts(metricsPage(pending: limit, accepted: 1)).findings.isEmpty)
    let found = facts(metricsPage(pending: 40 * 1024 * 1024, onDisk: 30_000_000, accepted: 1))
    #expect(
      found.findings
        == [ProbeFailure(.queueBacklog, "40.0 MiB wait in vmagent's queue (more than 16.0 MiB)")])
    #expect(found.persistentPendingBytes == 30_000_000)
  }

  @Test func failuresWithoutASingleDeliveryAreUnhealthy() {
    let found = facts(metricsPage(refused: 0, errors: 4, retries: 2)).findings
    #expect(
      found == [
        ProbeFailure(
          .unhealthy,
          "vmagent has not delivered anything to its remote storage since it started:"
            + " 0 requests refused, 4 failed to send, none accepted")
      ])
    #expect(facts(metricsPage(accepted: 3, errors: 4, retries: 2)).findings.isEmpty)
  }

  @Test func findingsComeWorstFirst() {
    let found = facts(metricsPage(pending: 20 * 1024 * 1024, blocksDropped: 1, errors: 1))
    #expect(found.findings.map(\.kind) == [.droppingData, .queueBacklog, .unhealthy])
  }

  @Test func aPageWithoutVmagentMetricsIsNoticed() {
    #expect(!facts("go_goroutines 12\nprocess_open_fds 9\n").sawVmagentMetrics)
  }

  @Test func byteCountsReadLikeAPersonWouldSayThem() {
    #expect(ByteCount.format(0) == "0 B")
    #expect(ByteCount.format(1023) == "1023 B")
    #expect(ByteCount.format(1536) == "1.5 KiB")
    #expect(ByteCount.format(16 * 1024 * 1024) == "16.0 MiB")
  }

  @Test func linesAreSplitAcrossPiecesAndTooLongOnesSkipped() {
    var splitter = LineSplitter(limit: 8)
    var lines: [String] = []
    for piece in ["ab", "c\r\nde", "f\n0123456789abc\nlast"] {
      Array(piece.utf8).withUnsafeBytes { splitter.feed($0) { lines.append($0) } }
    }
    splitter.finish { lines.append($0) }
    #expect(lines == ["abc", "def", "last"])
    #expect(splitter.skippedLines == 1)
  }
}
