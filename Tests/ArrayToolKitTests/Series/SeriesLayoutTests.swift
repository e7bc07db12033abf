import Testing

@testable import ArrayToolKit

@Suite struct SeriesLayoutTests {
  let catalog = try! SeriesCatalog.bundled()

  /// Two controllers with two metrics, a resource type without metrics, one LUN with one.
  let mixed = TestBlock(
    start: 0, end: 60, archive: 60,
    resources: [
      TestResource(typeID: 207, elements: [("1", "CTE0.A"), ("2", "CTE0.B")], metrics: [22, 311]),
      TestResource(typeID: 212, elements: [("5", "P0")], metrics: []),
      TestResource(typeID: 11, elements: [("9", "lun \"x\"")], metrics: [22]),
    ])

  func layout(_ block: TestBlock, serial: String = DatBuilder.serial) throws -> SeriesLayout {
    let header = try DatBlockHeader(json: HeaderJSON.parse(Array(block.headerJSON.utf8)))
    return SeriesLayout(header: header, serial: serial, catalog: catalog)
  }

  /// The text of `series` of the first chunk of a file of `block`.
  func render(_ block: TestBlock, _ format: SampleFormat, series: Range<Int>? = nil) throws
    -> String
  {
    let bytes = DatBuilder.file([block])
    let decoder = DatDecoder(source: MemorySource(bytes), length: Int64(bytes.count))
    let chunk = try #require(try decoder.nextChunk())
    let output = ByteBuffer()
    let layout = try layout(block)
    SampleRenderer.render(chunk, layout: layout, format: format, series: series, into: output)
    return String(decoding: output.bytes, as: UTF8.self)
  }

  let labels = "SN=\"2102350TST10KA000042\",scrape_interval=\"60\"}"

  @Test func everyPositionGetsItsElementMetricAndResource() throws {
    let expected = [
      "huawei_total_iops_io_s{Element=\"CTE0.A\",Resource=\"Controller\",\(labels) 0 0",
      "huawei_throughput_mb_s{Element=\"CTE0.A\",Resource=\"Controller\",\(labels) 0.0009765625 0",
      "huawei_total_iops_io_s{Element=\"CTE0.B\",Resource=\"Controller\",\(labels) 2 0",
      "huawei_throughput_mb_s{Element=\"CTE0.B\",Resource=\"Controller\",\(labels) 0.0029296875 0",
      "huawei_total_iops_io_s{Element=\"lun \\\"x\\\"\",Resource=\"LUN\",\(labels) 4 0",
    ]
    #expect(try render(mixed, .prometheus) == expected.joined(separator: "\n") + "\n")
    #expect(try render(mixed, .prometheus, series: 3..<5) == expected[3...].joined(separator: "\n") + "\n")
  }

  @Test func jsonLinesPutTheSamePartsTogether() throws {
    let json = "\"SN\":\"2102350TST10KA000042\",\"scrape_interval\":\"60\"},\"values\":"
    #expect(
      try render(mixed, .jsonl, series: 2..<5)
        == "{\"metric\":{\"__name__\":\"huawei_total_iops_io_s\",\"Element\":\"CTE0.B\","
        + "\"Resource\":\"Controller\",\(json)[2],\"timestamps\":[0]}\n"
        + "{\"metric\":{\"__name__\":\"huawei_throughput_mb_s\",\"Element\":\"CTE0.B\","
        + "\"Resource\":\"Controller\",\(json)[0.0029296875],\"timestamps\":[0]}\n"
        + "{\"metric\":{\"__name__\":\"huawei_total_iops_io_s\",\"Element\":\"lun \\\"x\\\"\","
        + "\"Resource\":\"LUN\",\(json)[4],\"timestamps\":[0]}\n")
  }

  @Test func keysScalesAndIdsFollowTheRowLayout() throws {
    let layout = try layout(mixed)
    #expect(layout.count == 5)
    #expect(
      layout.key(at: 3)
        == SeriesKey(
          name: "huawei_throughput_mb_s", element: "CTE0.B", resource: "Controller",
          serial: DatBuilder.serial, interval: 60))
    #expect(layout.key(at: 4).element == "lun \"x\"")
    #expect((0..<5).map { layout.metricID(at: $0) } == [22, 311, 22, 311, 22])
    #expect(layout.scale(at: 1) == .divide(1024))
    #expect(layout.collisions.isEmpty)
  }

  /// One long name and thousands of metrics: kept once per format, not once per series.
  @Test func aLongNameWithManyMetricsIsKeptOnce() throws {
    func block(_ name: String) -> TestBlock {
      TestBlock(
        start: 0, end: 60, archive: 60,
        resources: [TestResource(typeID: 207, elements: [("0", name)], metrics: Array(0..<2000))])
    }
    let name = String(repeating: "N", count: DatBlockHeader.maxNameBytes)
    let long = try layout(block(name))
    let short = try layout(block("N"))
    #expect(long.count == 2000)
    #expect(long.byteCount - short.byteCount == 2 * (DatBlockHeader.maxNameBytes - 1))
    #expect(long.key(at: 1999).element == name)
  }

  @Test func elementsOfOneNameCollide() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [
        TestResource(typeID: 11, elements: [("1", "a"), ("2", "b"), ("3", "a")], metrics: [22, 25])
      ])
    #expect(
      try layout(block).collisions == [
        SeriesCollision(
          seriesName: "huawei_total_iops_io_s", resource: "LUN", element: "a", metricIDs: [22, 22],
          elementCount: 2),
        SeriesCollision(
          seriesName: "huawei_read_iops_io_s", resource: "LUN", element: "a", metricIDs: [25, 25],
          elementCount: 2),
      ])
    #expect(
      try layout(block).collisions.first?.message
        == "2 elements of LUN are named 'a', and metric 22 of each maps to huawei_total_iops_io_s; "
        + "their samples would be stored as one series")
  }

  @Test func inspectJSONCountsTheElementsOfOneName() throws {
    var inventory = ExportInventory()
    inventory.collisions = [
      SeriesCollision(
        seriesName: "huawei_total_iops_io_s", resource: "LUN", element: "a", metricIDs: [22, 22],
        elementCount: 2)
    ]
    let text = try InspectReport.json(total: inventory, inputs: [], catalog: catalog)
    #expect(
      text.contains(
        #""collisions":[{"element":"a","elements":2,"metric_ids":[22,22],"resource":"LUN","#
          + #""series":"huawei_total_iops_io_s"}]"#))
  }

  @Test func elementsOfOneNameWithMetricsOfOneNameAreToldTogether() throws {
    // Two controllers named alike, and two of their metric ids map to one name: one series holds
    // four samples a row.
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [
        TestResource(typeID: 207, elements: [("1", "A"), ("2", "A")], metrics: [311, 512])
      ])
    #expect(
      try layout(block).collisions.map(\.message) == [
        "2 elements of Controller are named 'A', and metrics 311 and 512 of them all map to "
          + "huawei_throughput_mb_s; their samples would be stored as one series"
      ])
  }

  @Test func metricsOfOneNameCollideForEveryElement() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [
        TestResource(typeID: 207, elements: [("1", "A"), ("2", "B")], metrics: [311, 22, 512])
      ])
    #expect(
      try layout(block).collisions.map(\.message) == [
        "metrics 311 and 512 of Controller 'A' both map to huawei_throughput_mb_s; their samples "
          + "would be stored as one series",
        "metrics 311 and 512 of Controller 'B' both map to huawei_throughput_mb_s; their samples "
          + "would be stored as one series",
      ])
  }

  @Test func longElementNamesAreShortenedInMessages() {
    let collision = SeriesCollision(
      seriesName: "huawei_throughput_mb_s", resource: "LUN",
      element: String(repeating: "é", count: 2000), metricIDs: [311, 512])
    #expect(
      collision.message
        == "metrics 311 and 512 of LUN '\(String(repeating: "é", count: 60))… (4000 bytes)' both "
        + "map to huawei_throughput_mb_s; their samples would be stored as one series")
  }

  @Test func seriesAreCountedOncePerElementAndName() throws {
    var other = mixed
    other.resources = [
      TestResource(typeID: 207, elements: [("2", "CTE0.B"), ("3", "CTE0.C")], metrics: [22, 25])
    ]
    var inventory = ExportInventory()
    inventory.add(layout: try layout(mixed))
    #expect(inventory.series == 5)
    inventory.add(layout: try layout(other))
    // CTE0.B gains read IOPS; CTE0.C is new with two.
    #expect(inventory.series == 8)
    inventory.add(layout: try layout(other))
    #expect(inventory.series == 8)
    var later = other
    later.archive = 300
    later.end = 300
    inventory.add(layout: try layout(later))
    #expect(inventory.series == 12)
  }

  /// The hostile tester's layout bomb, scaled down: refused with the block's fault before any
  /// layout is made.
  @Test func aNameLongerThanTheLimitIsAFaultOfItsBlock() throws {
    let block = TestBlock(
      start: 0, end: 60, archive: 60,
      resources: [
        TestResource(
          typeID: 207, elements: [("0", String(repeating: "N", count: 200_000))],
          metrics: Array(0..<2000))
      ])
    let bytes = DatBuilder.file([block])
    let reader = DatFileReader(catalog: catalog)
    let summary = try reader.read(
      MemorySource(bytes), length: Int64(bytes.count), name: DatBuilder.name(), path: "e.zip",
      member: "d/x.tgz!x.dat"
    ) { _, _ in Issue.record("no chunk expected") }
    #expect(
      summary.fault
        == InputFault(
          .datBadHeader, at: 345,
          "block 0: Map[207].Names[0] is 200000 bytes long, more than the 4096 bytes arraytool "
            + "accepts", path: "e.zip", member: "d/x.tgz!x.dat"))
    #expect(reader.layouts.byteCount == 0)
  }

  @Test func theCacheKeepsLayoutsWithinItsBytes() throws {
    let first = try layout(mixed)
    let cache = SeriesLayoutCache(catalog: catalog, byteLimit: first.byteCount * 2)
    func header(_ interval: Int64) throws -> DatBlockHeader {
      var block = mixed
      block.archive = interval
      block.end = interval
      return try DatBlockHeader(json: HeaderJSON.parse(Array(block.headerJSON.utf8)))
    }
    let kept = cache.layout(for: try header(60), serial: DatBuilder.serial)
    #expect(cache.layout(for: try header(60), serial: DatBuilder.serial) === kept)
    _ = cache.layout(for: try header(70), serial: DatBuilder.serial)
    #expect(cache.byteCount == first.byteCount * 2)
    _ = cache.layout(for: try header(80), serial: DatBuilder.serial)
    #expect(cache.byteCount == first.byteCount * 2)
    // The oldest went to make room.
    #expect(cache.layout(for: try header(60), serial: DatBuilder.serial) !== kept)
  }
}
