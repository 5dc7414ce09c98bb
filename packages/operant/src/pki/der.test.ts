import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bitString, bool, explicit, implicit, namedBits, octetString, oid, sequence, set, smallInteger, time, tlv, unsignedInteger, utf8String } from "./der.ts";

/** Hex of an encoding, bytes separated by spaces, for readable failures. */
const hex = (b: Buffer) => b.toString("hex").replace(/(..)(?!$)/g, "$1 ");
const bytes = (spaced: string) => Buffer.from(spaced.replace(/ /g, ""), "hex");

describe("OBJECT IDENTIFIER", () => {
  test("well-known X.509 OIDs encode as in the standards", () => {
    assert.equal(hex(oid("2.5.4.3")), "06 03 55 04 03"); // commonName
    assert.equal(hex(oid("2.5.29.15")), "06 03 55 1d 0f"); // keyUsage
    assert.equal(hex(oid("1.3.6.1.5.5.7.3.2")), "06 08 2b 06 01 05 05 07 03 02"); // clientAuth
    assert.equal(hex(oid("1.2.840.113549.1.1.11")), "06 09 2a 86 48 86 f7 0d 01 01 0b"); // sha256WithRSAEncryption
    assert.equal(hex(oid("1.2.840.10045.2.1")), "06 07 2a 86 48 ce 3d 02 01"); // id-ecPublicKey
  });

  test("arcs of 128 and more take base-128 groups with the continuation bit", () => {
    assert.equal(hex(oid("1.2.127")), "06 02 2a 7f");
    assert.equal(hex(oid("1.2.128")), "06 03 2a 81 00");
    assert.equal(hex(oid("1.2.16383")), "06 03 2a ff 7f");
    assert.equal(hex(oid("1.2.16384")), "06 04 2a 81 80 00");
  });
});

describe("lengths", () => {
  test("under 128 bytes: one length byte", () => {
    assert.equal(hex(octetString(Buffer.alloc(0))), "04 00");
    assert.equal(hex(octetString(Buffer.alloc(127)).subarray(0, 2)), "04 7f");
  });

  test("128 bytes and more: 0x80 | count, then the length big-endian", () => {
    const header = (n: number) => {
      const enc = octetString(Buffer.alloc(n, 0xab));
      const h = enc.subarray(0, enc.length - n);
      assert.ok(enc.subarray(h.length).every((b) => b === 0xab), "content follows the header intact");
      return hex(h);
    };
    assert.equal(header(128), "04 81 80");
    assert.equal(header(255), "04 81 ff");
    assert.equal(header(256), "04 82 01 00");
    assert.equal(header(65535), "04 82 ff ff");
    assert.equal(header(65536), "04 83 01 00 00");
  });

  test("nested structures carry their content's full length", () => {
    assert.equal(hex(sequence(oid("2.5.4.3"), utf8String("admin"))), "30 0c 06 03 55 04 03 0c 05 61 64 6d 69 6e");
    const big = sequence(octetString(Buffer.alloc(200)));
    assert.equal(hex(big.subarray(0, 6)), "30 81 cb 04 81 c8");
    assert.equal(big.length, 3 + 203);
  });
});

describe("INTEGER", () => {
  test("a magnitude with the high bit set gets a leading zero (it would read as negative)", () => {
    assert.equal(hex(unsignedInteger(bytes("80"))), "02 02 00 80");
    assert.equal(hex(unsignedInteger(bytes("ff ff"))), "02 03 00 ff ff");
    const serial = Buffer.alloc(20, 0xc3);
    const enc = unsignedInteger(serial);
    assert.equal(hex(enc.subarray(0, 3)), "02 15 00");
    assert.deepEqual(enc.subarray(3), serial);
  });

  test("leading zero bytes are dropped, keeping one for zero and one before a high bit", () => {
    assert.equal(hex(unsignedInteger(bytes("00 00 7f"))), "02 01 7f");
    assert.equal(hex(unsignedInteger(bytes("00 00 80"))), "02 02 00 80");
    assert.equal(hex(unsignedInteger(bytes("00 00"))), "02 01 00");
  });

  test("small numbers", () => {
    assert.equal(hex(smallInteger(0)), "02 01 00");
    assert.equal(hex(smallInteger(2)), "02 01 02"); // X.509 v3 version field
    assert.equal(hex(smallInteger(127)), "02 01 7f");
    assert.equal(hex(smallInteger(128)), "02 02 00 80");
    assert.equal(hex(smallInteger(256)), "02 02 01 00");
    assert.equal(hex(smallInteger(65537)), "02 03 01 00 01"); // the usual RSA public exponent
  });
});

describe("BIT STRING", () => {
  test("whole bytes: zero unused bits", () => {
    assert.equal(hex(bitString(bytes("de ad"))), "03 03 00 de ad");
  });

  test("named bits (KeyUsage) drop trailing zero bits and count them as unused", () => {
    assert.equal(hex(namedBits([0])), "03 02 07 80"); // digitalSignature
    assert.equal(hex(namedBits([0, 2])), "03 02 05 a0"); // digitalSignature, keyEncipherment
    assert.equal(hex(namedBits([5, 6])), "03 02 01 06"); // keyCertSign, cRLSign
    assert.equal(hex(namedBits([0, 5, 6])), "03 02 01 86");
    assert.equal(hex(namedBits([7])), "03 02 00 01");
    assert.equal(hex(namedBits([8])), "03 03 07 00 80"); // decipherOnly: a second byte
    assert.equal(hex(namedBits([6, 5])), hex(namedBits([5, 6])), "order of positions does not matter");
  });
});

describe("time", () => {
  test("UTCTime (two-digit year) through 2049, seconds precision, Z", () => {
    assert.equal(hex(time(new Date("2025-03-04T05:06:07.890Z"))), hex(Buffer.concat([bytes("17 0d"), Buffer.from("250304050607Z")])));
    assert.equal(time(new Date("2049-12-31T23:59:59Z")).subarray(2).toString("ascii"), "491231235959Z");
    assert.equal(time(new Date("1999-01-02T03:04:05Z")).subarray(2).toString("ascii"), "990102030405Z");
  });

  test("GeneralizedTime (four-digit year) from 2050 on", () => {
    assert.equal(hex(time(new Date("2050-01-01T00:00:00Z"))), hex(Buffer.concat([bytes("18 0f"), Buffer.from("20500101000000Z")])));
    assert.equal(time(new Date("2125-06-30T12:00:00Z")).subarray(2).toString("ascii"), "21250630120000Z");
  });
});

describe("other types and tags", () => {
  test("BOOLEAN is ff or 00", () => {
    assert.equal(hex(bool(true)), "01 01 ff");
    assert.equal(hex(bool(false)), "01 01 00");
  });

  test("UTF8String counts bytes, not characters", () => {
    assert.equal(hex(utf8String("é")), "0c 02 c3 a9");
  });

  test("SEQUENCE 0x30, SET 0x31, explicit [n] constructed 0xa0|n, implicit [n] primitive 0x80|n", () => {
    assert.equal(hex(sequence()), "30 00");
    assert.equal(hex(set(bool(true))), "31 03 01 01 ff");
    assert.equal(hex(explicit(0, smallInteger(2))), "a0 03 02 01 02");
    assert.equal(hex(explicit(3, sequence())), "a3 02 30 00");
    assert.equal(hex(implicit(2, Buffer.from("a"))), "82 01 61");
    assert.equal(hex(tlv(0x05, Buffer.alloc(0))), "05 00"); // NULL
  });
});

test("an OID whose first subidentifier exceeds 127 is base-128 encoded", () => {
  assert.equal(oid("2.999.3").toString("hex"), "0603883703");
});
