// VictoriaMetrics' /flags page and the values read from it: retention, durations, sizes and the
// defaults of flags that were not set.

import Testing

@testable import ArrayToolKit

@Suite struct VictoriaMetricsFlagsTests {
  @Test func flagsPageIsParsedWithDefaultsForTheRest() {
    let flags = VictoriaMetricsFlags.parse(
      """
      -httpListenAddr="127.0.0.1:8428"
      -retentionPeriod="100y"
      -search.maxQueryLen="16KiB"
      -storageDataPath="/var/lib/victoria-metrics"
      -graphite.sanitizeMetricName="a \\"quoted\\" value"
      not a flag line
      """)
    #expect(flags.value("retentionPeriod") == "100y")
    #expect(flags.isSet("retentionPeriod"))
    #expect(flags.value("graphite.sanitizeMetricName") == "a \"quoted\" value")
    #expect(flags.value("dedup.minScrapeInterval") == "0s")
    #expect(!flags.isSet("dedup.minScrapeInterval"))
    #expect(flags.retentionSeconds == Double(100 * 365 * 86400))
    #expect(flags.dedupIntervalSeconds == 0)
    #expect(flags.importMaxLineBytes == 104_857_600)
    #expect(flags.maxLabelsPerSeries == 30)
    #expect(flags.values.count == 5)
  }

  @Test func setFlagsWinOverDefaults() {
    let flags = VictoriaMetricsFlags.parse(
      "-dedup.minScrapeInterval=\"1m30s\"\n-import.maxLineLen=\"64KiB\"\n"
        + "-maxLabelsPerTimeseries=\"40\"\n")
    #expect(flags.dedupIntervalSeconds == 90)
    #expect(flags.importMaxLineBytes == 65536)
    #expect(flags.maxLabelsPerSeries == 40)
    #expect(flags.retentionSeconds == Double(31 * 86400))
  }

  @Test func retentionBareNumbersAreMonths() {
    #expect(VictoriaMetricsFlags.retentionSeconds("1") == Double(31 * 86400))
    #expect(VictoriaMetricsFlags.retentionSeconds("1.5") == Double(46.5 * 86400))
    #expect(VictoriaMetricsFlags.retentionSeconds("12") == Double(12 * 31 * 86400))
  }

  @Test func retentionUnitsAreHoursDaysWeeksYears() {
    #expect(VictoriaMetricsFlags.retentionSeconds("3h") == Double(3 * 3600))
    #expect(VictoriaMetricsFlags.retentionSeconds("1d") == Double(86400))
    #expect(VictoriaMetricsFlags.retentionSeconds("2w") == Double(14 * 86400))
    #expect(VictoriaMetricsFlags.retentionSeconds("100y") == Double(100 * 365 * 86400))
    #expect(VictoriaMetricsFlags.retentionSeconds("1y6w") == Double((365 + 42) * 86400))
    #expect(VictoriaMetricsFlags.retentionSeconds("") == nil)
    #expect(VictoriaMetricsFlags.retentionSeconds("1x") == nil)
    #expect(VictoriaMetricsFlags.retentionSeconds("-1") == nil)
    #expect(VictoriaMetricsFlags.retentionSeconds("y") == nil)
  }

  @Test func goDurationsAndSizesAreRead() {
    #expect(VictoriaMetricsFlags.goDurationSeconds("0s") == 0)
    #expect(VictoriaMetricsFlags.goDurationSeconds("0") == 0)
    #expect(VictoriaMetricsFlags.goDurationSeconds("500ms") == 0.5)
    #expect(VictoriaMetricsFlags.goDurationSeconds("2h0m0s") == 7200)
    #expect(VictoriaMetricsFlags.goDurationSeconds("5d") == nil)
    #expect(VictoriaMetricsFlags.bytes("104857600") == 104_857_600)
    #expect(VictoriaMetricsFlags.bytes("100MB") == 100_000_000)
    #expect(VictoriaMetricsFlags.bytes("1.5KiB") == 1536)
    #expect(VictoriaMetricsFlags.bytes("1GiB") == 1_073_741_824)
    #expect(VictoriaMetricsFlags.bytes("ten") == nil)
  }
}
