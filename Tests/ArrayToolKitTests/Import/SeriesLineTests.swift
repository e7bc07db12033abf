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
}
