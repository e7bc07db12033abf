import Testing

@testable import ArrayToolKit

@Suite struct SeriesRenderingTests {
  let catalog = try! SeriesCatalog.bundled()

  /// Renders every chunk of a .dat file built from `blocks`.
  func render(_ blocks: [TestBlock], format: SampleFormat, serial: String = DatBuilder.serial)
    throws -> (text: String, summary: DatFileSummary)
  {
    let output = ByteBuffer()
    let bytes = DatBuilder.file(blocks, serial: serial)
    let summary = try DatFileReader(catalog: catalog).read(
      MemorySource(bytes), length: Int64(bytes.count), name: DatBuilder.name(), path: "x.dat",
      member: nil
    ) { chunk, layout in
      SampleRenderer.render(chunk, layout: layout, format: format, into: output)
    }
    return (String(decoding: output.bytes, as: UTF8.self), summary)
  }

  @Test func formatDocumentExampleIsExportedByteForByte() throws {
    var block = DatBuilder.controllerBlock
    block.end = block.start + 60
    block.resources[0].metrics = [22]
    let result = try render([block], format: .prometheus)
    #expect(
      result.text
        == "huawei_total_iops_io_s{Element=\"CTE0.B\",Resource=\"Controller\","
        + "SN=\"2102350TST10KA000042\",scrape_interval=\"60\"} 5348 1758758400000\n")
  }

  @Test func jsonLinesCarryValuesTimestampsAndDivisors() throws {
    let result = try render([DatBuilder.controllerBlock], format: .jsonl)
    let labels = "\"Element\":\"CTE0.B\",\"Resource\":\"Controller\",\"SN\":\"2102350TST10KA000042\","
      + "\"scrape_interval\":\"60\"}"
    let stamps = "\"timestamps\":[1758758400000,1758758460000,1758758520000]}\n"
    #expect(
      result.text
        == "{\"metric\":{\"__name__\":\"huawei_total_iops_io_s\",\(labels),"
        + "\"values\":[5348,5349,5350],\(stamps)"
        + "{\"metric\":{\"__name__\":\"huawei_throughput_mb_s\",\(labels),"
        + "\"values\":[1.23828125,1.2392578125,1.240234375],\(stamps)")
    #expect(result.summary.samples == 6)
    #expect(result.summary.firstTimestamp == 1_758_758_400_000)
    #expect(result.summary.lastTimestamp == 1_758_758_520_000)
  }

  @Test func unknownIdsAreNamedAsDocumented() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [TestResource(typeID: 99_999, elements: [("1", "x")], metrics: [987_654])],
      value: { _, _ in -7 })
    let result = try render([block], format: .prometheus)
    #expect(
      result.text
        == "huawei_unknown_metric_987654{Element=\"x\",Resource=\"UNKNOWN_RESOURCE_99999\","
        + "SN=\"2102350TST10KA000042\",scrape_interval=\"60\"} -7 0\n")
    #expect(result.summary.unknownMetricIDs == [987_654])
    #expect(result.summary.unknownResourceIDs == [99_999])
  }

  @Test func unicodeCommasAndQuotesSurviveIntoLabels() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [
        TestResource(typeID: 11, elements: [("1", "Том, \"卷\" #1\\")], metrics: [22])
      ])
    let json = try render([block], format: .jsonl).text
    #expect(json.contains("\"Element\":\"Том, \\\"卷\\\" #1\\\\\""))
    let prometheus = try render([block], format: .prometheus).text
    #expect(prometheus.hasPrefix("huawei_total_iops_io_s{Element=\"Том, \\\"卷\\\" #1\\\\\","))
  }

  @Test func collidingMetricIdsAreReported() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [TestResource(typeID: 207, elements: [("1", "CTE0.A")], metrics: [311, 512])])
    let summary = try render([block], format: .jsonl).summary
    #expect(
      summary.collisions
        == [
          SeriesCollision(
            seriesName: "huawei_throughput_mb_s", resource: "Controller", element: "CTE0.A",
            metricIDs: [311, 512])
        ])
  }

  @Test func serialDisagreeingWithTheFileNameIsReported() throws {
    let summary = try render([DatBuilder.controllerBlock], format: .jsonl, serial: "OTHER1").summary
    #expect(
      summary.warnings
        == [
          InputFault(
            .serialMismatch, at: 36,
            "the file name says serial 2102350TST10KA000042 but the file header says OTHER1",
            path: "x.dat")
        ])
  }

  @Test func scaledValuesAreExactDecimals() {
    func text(_ raw: Int32, _ scale: ValueScale) -> String {
      let buffer = ByteBuffer()
      buffer.reserve(32)
      buffer.appendValueUnchecked(raw, scale: scale)
      return String(decoding: buffer.bytes, as: UTF8.self)
    }
    #expect(text(5348, .divide(1000)) == "5.348")
    #expect(text(-1500, .divide(1000)) == "-1.5")
    #expect(text(-5, .divide(1000)) == "-0.005")
    #expect(text(3000, .divide(1000)) == "3")
    #expect(text(1, .divide(1024)) == "0.0009765625")
    #expect(text(3, .multiply(1024)) == "3072")
    #expect(text(Int32.min, .none) == "-2147483648")
    #expect(text(10, .divide(3)) == "3.3333333333333335")
    #expect(text(1_234_567_899, .none) == "1234567899")
    #expect(text(-100, .none) == "-100")
    #expect(text(Int32.max, .divide(1024)) == "2097151.9990234375")
  }

  @Test func catalogueScalesFollowTheDivisorColumn() {
    #expect(catalog.metric(311).scale == .divide(1024))
    #expect(catalog.metric(429).scale == .divide(1000))
    #expect(catalog.metric(22).scale == .none)
    #expect(catalog.resourceName(207) == "Controller")
    #expect(catalog.metrics.count == 922)
    #expect(catalog.resources.count == 59)
  }
}
