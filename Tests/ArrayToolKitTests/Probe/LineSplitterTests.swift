// Lines handed over as bytes: where a piece holds a whole line it is handed over in place, where
// a line spans pieces it is gathered, and either way a `\r` before the newline goes and a line
// over the limit is skipped and counted.

import Testing

@testable import ArrayToolKit

@Suite struct LineSplitterTests {
  static func split(_ pieces: [String], limit: Int) -> (lines: [String], skipped: Int) {
    var splitter = LineSplitter(limit: limit)
    var lines: [String] = []
    for piece in pieces {
      Array(piece.utf8).withUnsafeBytes {
        splitter.feedBytes($0) { lines.append(String(decoding: $0, as: UTF8.self)) }
      }
    }
    splitter.finishBytes { lines.append(String(decoding: $0, as: UTF8.self)) }
    return (lines, splitter.skippedLines)
  }

  @Test func wholeLinesInOnePieceAndLinesAcrossPiecesComeOutTheSame() {
    let whole = Self.split(["one\r\ntwo\n\nthree\r\n"], limit: 8)
    let apart = Self.split(["o", "ne\r", "\ntw", "o\n", "\nthr", "ee\r\n"], limit: 8)
    #expect(whole.lines == ["one", "two", "", "three"])
    #expect(apart.lines == whole.lines)
    #expect(whole.skipped == 0 && apart.skipped == 0)
  }

  @Test func aLineOverTheLimitIsSkippedWhereverItLies() {
    let inside = Self.split(["ok\n123456789\nend"], limit: 8)
    let across = Self.split(["ok\n1234", "56789\nend"], limit: 8)
    #expect(inside.lines == ["ok", "end"])
    #expect(inside.skipped == 1)
    #expect(across.lines == ["ok", "end"])
    #expect(across.skipped == 1)
  }

  @Test func aLineOfExactlyTheLimitIsKept() {
    #expect(Self.split(["12345678\n"], limit: 8).lines == ["12345678"])
    #expect(Self.split(["1234", "5678\n"], limit: 8).lines == ["12345678"])
  }
}
