// The rendered label text of a layout in one output format, kept as parts that a line prefix
// is put together from: one part per metric, one per element and one per resource type. The
// parts sit in one allocation, so that an element costs its escaped name and an offset.

/// The label parts of a layout in one format.
final class SeriesLabelText: @unchecked Sendable {
  /// The indexes of the three parts that make the prefix of one series, in order.
  struct Parts {
    var metric: Int
    var element: Int
    var shared: Int
  }

  private let bytes: UnsafeMutablePointer<UInt8>
  /// Where each part starts in `bytes`, and the end of the last one.
  private let starts: [Int]

  /// Renders the parts of `groups`, in the order `SeriesLayout.Group.firstPart` counts them.
  init(_ format: SampleFormat, groups: [SeriesLayout.Group], serial: String, interval: Int64) {
    var text: [UInt8] = []
    var starts: [Int] = []
    func part(_ render: (inout [UInt8]) -> Void) {
      starts.append(text.count)
      render(&text)
    }
    for group in groups {
      switch format {
      case .jsonl:
        for metric in group.metrics {
          part {
            $0.append(contentsOf: "{\"metric\":{\"__name__\":".utf8)
            JSONText.appendString(metric.seriesName, to: &$0)
          }
        }
        for element in group.elements {
          part {
            $0.append(contentsOf: ",\"Element\":".utf8)
            JSONText.appendString(element, to: &$0)
          }
        }
        part {
          $0.append(contentsOf: ",\"Resource\":".utf8)
          JSONText.appendString(group.resourceName, to: &$0)
          $0.append(contentsOf: ",\"SN\":".utf8)
          JSONText.appendString(serial, to: &$0)
          $0.append(contentsOf: ",\"scrape_interval\":\"".utf8)
          JSONText.appendInteger(interval, to: &$0)
          $0.append(contentsOf: "\"},\"values\":[".utf8)
        }
      case .prometheus:
        for metric in group.metrics { part { $0.append(contentsOf: metric.seriesName.utf8) } }
        for element in group.elements {
          part { Self.appendLabel("{Element", element, to: &$0) }
        }
        part {
          Self.appendLabel(",Resource", group.resourceName, to: &$0)
          Self.appendLabel(",SN", serial, to: &$0)
          $0.append(contentsOf: ",scrape_interval=\"".utf8)
          JSONText.appendInteger(interval, to: &$0)
          $0.append(contentsOf: "\"} ".utf8)
        }
      }
    }
    starts.append(text.count)
    self.starts = starts
    bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: max(text.count, 1))
    bytes.initialize(from: text, count: text.count)
  }

  deinit { bytes.deallocate() }

  /// The bytes held.
  var byteCount: Int { starts.last! + starts.count * MemoryLayout<Int>.stride }

  /// The bytes of `parts` put together.
  @inline(__always)
  func length(_ parts: Parts) -> Int {
    starts[parts.metric + 1] - starts[parts.metric] + starts[parts.element + 1]
      - starts[parts.element] + starts[parts.shared + 1] - starts[parts.shared]
  }

  /// Appends the prefix `parts` make.
  @inline(__always)
  func append(_ parts: Parts, to output: ByteBuffer) {
    appendPart(parts.metric, to: output)
    appendPart(parts.element, to: output)
    appendPart(parts.shared, to: output)
  }

  @inline(__always)
  private func appendPart(_ index: Int, to output: ByteBuffer) {
    let start = starts[index]
    output.append(UnsafeRawBufferPointer(start: bytes + start, count: starts[index + 1] - start))
  }

  /// Appends `name="value"` with the escapes of the exposition format.
  private static func appendLabel(_ name: StaticString, _ value: String, to text: inout [UInt8]) {
    text.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    text.append(contentsOf: "=\"".utf8)
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\\"): text.append(contentsOf: "\\\\".utf8)
      case UInt8(ascii: "\""): text.append(contentsOf: "\\\"".utf8)
      case 0x0A: text.append(contentsOf: "\\n".utf8)
      default: text.append(byte)
      }
    }
    text.append(UInt8(ascii: "\""))
  }
}
