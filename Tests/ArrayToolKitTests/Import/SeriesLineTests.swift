// The reading of VictoriaMetrics' JSON lines that the landed check and the replay count with:
// labels and timestamps exactly, values skipped whatever they hold, and anything else refused
// so that its samples count as missing.

import Testing

@testable import ArrayToolKit

@Suite struct SeriesLineTests {
  static func read(_ text: String) -> SeriesLine? {
    Array(text.utf8).withUnsafeBytes { SeriesLine($0) }
  }

  static let labels = [
    "__name__": "huawei_iops", "Element": "lun", "Resource": "LUN", "SN": "S1",
    "scrape_interval": "60",
  ]

  @Test func anExportLineGivesItsLabelsAndTimestamps() {
    let line =
      #"{"metric":{"__name__":"huawei_iops","Element":"lun","Resource":"LUN","SN":"S1","#
      + #""scrape_interval":"60"},"values":[1.5,2,3e-7],"timestamps":[1758758400000,"#
      + #"1758758460000,1758758520000]}"#
    #expect(Self.read(line) == SeriesLine(
      metric: Self.labels, timestamps: [1_758_758_400_000, 1_758_758_460_000, 1_758_758_520_000]))
  }

  @Test func keysMayComeInAnyOrderWithSpacesAndOtherKeys() {
    let line =
      #" { "timestamps" : [ -60000 , 0 ,9223372036854775807 ] , "extra": {"a":[1,{"b":"]}"}]},"#
      + #" "values":[null,"NaN",1], "metric": {"__name__":"x\"}","SN":"a,b]"} } "#
    #expect(Self.read(line) == SeriesLine(
      metric: ["__name__": "x\"}", "SN": "a,b]"],
      timestamps: [-60_000, 0, Int64.max]))
  }

  @Test func anEmptyTimestampArrayIsNoSamples() {
    #expect(Self.read(#"{"metric":{"SN":"S1"},"values":[],"timestamps":[]}"#)?.timestamps == [])
  }

  @Test func theSmallestTimestampFits() {
    let line = #"{"metric":{},"timestamps":[-9223372036854775808]}"#
    #expect(Self.read(line)?.timestamps == [Int64.min])
  }

  @Test(arguments: [
    "",
    "[]",
    "{}",
    #"{"metric":{"SN":"S1"},"values":[1]}"#,
    #"{"values":[1],"timestamps":[1]}"#,
    #"{"metric":{"SN":1},"timestamps":[1]}"#,
    #"{"metric":["SN"],"timestamps":[1]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1.5]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":["1"]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1,,2]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1,]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[-]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[9223372036854775808]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[-9223372036854775809]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[99999999999999999999]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":1}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1],"timestamps":[2]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1]"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1]}x"#,
    #"{"metric":{"SN":"S1"} "timestamps":[1]}"#,
    #"{"metric":{"SN":"S1"},"timestamps":[1"#,
    #"{"metric":{"SN":"S1},"timestamps":[1]}"#,
  ])
  func anythingElseIsNoLine(_ text: String) {
    #expect(Self.read(text) == nil)
  }

  static func keeping(_ text: String, _ keep: (Int64) -> Bool) -> String? {
    Array(text.utf8).withUnsafeBytes { SeriesLine.keeping($0, keep) }
      .map { String(decoding: $0, as: UTF8.self) }
  }

  /// What is left to send of a line: its labels as written, the samples kept pairwise.
  @Test func aLineKeepsTheSamplesAskedForWithItsLabelsAsWritten() {
    let line = #"{"metric":{"SN":"S1", "x":"a\"b"},"values":[1.5,null,-2e3],"timestamps":[10,20,30]}"#
    #expect(Self.keeping(line) { $0 != 20 }
      == #"{"metric":{"SN":"S1", "x":"a\"b"},"values":[1.5,-2e3],"timestamps":[10,30]}"#)
    #expect(Self.keeping(line) { _ in false } == "")
    #expect(Self.keeping(line) { _ in true }
      == #"{"metric":{"SN":"S1", "x":"a\"b"},"values":[1.5,null,-2e3],"timestamps":[10,20,30]}"#)
  }

  @Test func aLineWhoseValuesDoNotPairWithItsTimestampsIsNotCut() {
    #expect(Self.keeping(#"{"metric":{},"values":[1],"timestamps":[10,20]}"#) { _ in true } == nil)
    #expect(Self.keeping(#"{"metric":{},"timestamps":[10]}"#) { _ in true } == nil)
    #expect(Self.keeping(#"{"metric":{},"values":[1,],"timestamps":[10]}"#) { _ in true } == nil)
  }

  /// A batch's rest: lines of series found stored lose those samples, a line left empty goes.
  @Test func theRestOfABatchLeavesOutWhatIsStored() throws {
    let first =
      #"{"metric":{"__name__":"a","Element":"0A","Resource":"Controller","SN":"S1","#
      + #""scrape_interval":"60"},"values":[1,2],"timestamps":[1000,61000]}"#
    let second =
      #"{"metric":{"__name__":"b","Element":"0A","Resource":"Controller","SN":"S1","#
      + #""scrape_interval":"60"},"values":[3],"timestamps":[1000]}"#
    let body = Array((first + "\n" + second + "\n").utf8)
    let a = SeriesKey(name: "a", element: "0A", resource: "Controller", serial: "S1", interval: 60)
    let b = SeriesKey(name: "b", element: "0A", resource: "Controller", serial: "S1", interval: 60)
    let rest = try #require(BatchStoredCheck.unstored(body, found: [a: [1000], b: [1000]]))
    #expect(String(decoding: rest, as: UTF8.self)
      == #"{"metric":{"__name__":"a","Element":"0A","Resource":"Controller","SN":"S1","#
      + #""scrape_interval":"60"},"values":[2],"timestamps":[61000]}"# + "\n")
    #expect(BatchStoredCheck.unstored(body, found: [:]).map { String(decoding: $0, as: UTF8.self) }
      == first.replacingOccurrences(of: "\n", with: "") + "\n" + second + "\n")
  }
}
