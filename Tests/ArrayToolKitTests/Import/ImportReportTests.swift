// The import report's files line: every file a run touched is counted among those processed,
// the ones Ctrl-C cut off included, so that its parts add up to the whole.

import Testing

@testable import ArrayToolKit

@Suite struct ImportReportTests {
  @Test func filesCutOffByCtrlCAreAmongThoseProcessed() {
    var result = ImportResult()
    result.interrupted = true
    result.filesTotal = 40
    result.filesOK = 6
    result.filesInterrupted = 2
    let files = ImportReport.text(result).split(separator: "\n").first { $0.hasPrefix("  files:") }
      .map(String.init)
    #expect(files == "  files:       8/40 processed, 6 imported, 0 failed, 2 interrupted")
  }

  @Test func everyKindOfFileAddsToTheProcessed() {
    var result = ImportResult()
    result.filesTotal = 20
    result.filesOK = 1
    result.filesFailed = 2
    result.filesSpooled = 3
    result.filesSkipped = 4
    result.filesDuplicate = 5
    let files = ImportReport.text(result).split(separator: "\n").first { $0.hasPrefix("  files:") }
      .map(String.init)
    #expect(
      files == "  files:       15/20 processed, 1 imported, 2 failed, 3 with batches spooled, "
        + "4 imported before (journal), 5 duplicates of other inputs (not sent)")
  }
}
