/** A v1 message header's size (Bitcoin Core's CMessageHeader::HEADER_SIZE: magic, command, length,
 *  checksum): what v1 framing reads before each payload, and what a v1 peer reads of our key before
 *  it can judge the magic and disconnect (the core's v1-retry rule). */
export const V1_HEADER_BYTES = 24
