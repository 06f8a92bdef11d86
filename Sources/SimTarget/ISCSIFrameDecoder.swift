import ISCSIWire
import NIOCore

/// What the decoder hands the connection: a PDU, or a frame that could not be decoded (the
/// connection answers with a Reject, or drops on a header digest error).
enum InboundFrame {
    case pdu(ISCSIPDU)
    case malformed(ISCSIWireError)
}

/// Framing rules that change during a connection: login negotiates digests and the data
/// segment limit, and the next PDU must already be cut with them. Shared by the decoder and
/// the connection handler, both on the channel's event loop.
final class FramingState {
    var framer = PDUFramer()
}

enum FramingError: Error { case dataSegmentFarTooLong(Int) }

/// Cuts PDUs out of the TCP stream with ISCSIWire's framer.
struct ISCSIFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundFrame
    let state: FramingState

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= BasicHeaderSegment.length,
              let head = buffer.getBytes(at: buffer.readerIndex, length: BasicHeaderSegment.length),
              let length = state.framer.frameLength(in: head) else { return .needMoreData }
        // A data segment far beyond what we declared cannot be skipped without reading it all;
        // waiting for megabytes a hostile peer never sends would hold the connection open.
        let declared = Int(head[5]) << 16 | Int(head[6]) << 8 | Int(head[7])
        guard declared <= 2 * state.framer.maxRecvDataSegmentLength + 4096 else { throw FramingError.dataSegmentFarTooLong(declared) }
        guard buffer.readableBytes >= length, let frame = buffer.readBytes(length: length) else { return .needMoreData }
        do {
            context.fireChannelRead(wrapInboundOut(.pdu(try state.framer.decode(frame: frame))))
        } catch let error as ISCSIWireError {
            context.fireChannelRead(wrapInboundOut(.malformed(error)))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial PDU at EOF is dropped with the connection.
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
