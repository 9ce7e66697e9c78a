package io.ionclock.core.clocklink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClocklinkKeysTest {
    static final String SECRET_HEX = "5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E";

    @Test
    void parsesChronyKeyfileLines() {
        ClocklinkKeys k = ClocklinkKeys.parse("""
                # chronyc keygen 10 SHA256 256
                10 SHA256 HEX:%s
                  11   SHA256   ASCII:a-sixteen-char-key!   # a comment
                12 SHA256 plain-ascii-key-of-16+
                """.formatted(SECRET_HEX));
        assertEquals(3, k.size());
        assertEquals(10, k.sendKeyId());
        assertEquals(1, k.indexOf(11));
        assertEquals(-1, k.indexOf(13));
        assertEquals(12, ClocklinkKeys.parse("10 SHA256 HEX:" + SECRET_HEX + "\n12 SHA256 HEX:" + SECRET_HEX, 12).sendKeyId());
    }

    @Test
    void errorsNameTheLineAndNeverTheKey() {
        String[] bad = {
            "",
            "10 SHA1 HEX:" + SECRET_HEX,
            "10 SHA256",
            "x SHA256 HEX:" + SECRET_HEX,
            "0 SHA256 HEX:" + SECRET_HEX,
            "4294967296 SHA256 HEX:" + SECRET_HEX,
            "10 SHA256 HEX:" + SECRET_HEX.substring(1),
            "10 SHA256 HEX:" + SECRET_HEX.replace('E', 'G'),
            "10 SHA256 HEX:5E5E",
            "10 SHA256 HEX:" + SECRET_HEX + "\n10 SHA256 HEX:" + SECRET_HEX,
            "10 SHA256 HEX:" + SECRET_HEX + "AB".repeat(40),
            "10 5E5E5E5E5E5E5E5E SHA256", // columns swapped: the key where the type should be
        };
        for (String text : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClocklinkKeys.parse(text), text);
            assertFalse(e.getMessage().contains("5E5E"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ClocklinkKeys.parse("10 SHA256 HEX:" + SECRET_HEX, 11));
        String md5 = assertThrows(IllegalArgumentException.class, () -> ClocklinkKeys.parse("\n\n10 MD5 HEX:00")).getMessage();
        assertTrue(md5.startsWith("keyfile line 3") && md5.contains("found MD5"), md5);
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= ClocklinkKeys.KEYS_MAX + 1; i++) {
            many.append(i).append(" SHA256 HEX:").append(SECRET_HEX).append('\n');
        }
        assertThrows(IllegalArgumentException.class, () -> ClocklinkKeys.parse(many.toString()));
    }

    @Test
    void toStringShowsIdsOnly() {
        ClocklinkKeys k = ClocklinkKeys.parse("10 SHA256 HEX:" + SECRET_HEX);
        assertFalse(k.toString().contains("5E") || k.toString().toLowerCase().contains("5e5e"), k.toString());
        assertTrue(k.toString().contains("10"));
        ClocklinkConfig c = ClocklinkConfig.master("m0", 1, k, java.util.List.of());
        assertFalse(c.toString().toLowerCase().contains("5e5e"), c.toString());
        assertFalse(new ClocklinkAuth(k).toString().toLowerCase().contains("5e5e"));
    }

    @Test
    void rotationAcceptsBothKeysAndSignsWithTheSendKey() {
        String both = "1 SHA256 HEX:" + SECRET_HEX + "\n2 SHA256 HEX:" + "A1".repeat(32) + "\n";
        ClocklinkAuth oldSender = new ClocklinkAuth(ClocklinkKeys.parse("1 SHA256 HEX:" + SECRET_HEX));
        ClocklinkAuth newSender = new ClocklinkAuth(ClocklinkKeys.parse("2 SHA256 HEX:" + "A1".repeat(32)));
        ClocklinkAuth receiver = new ClocklinkAuth(ClocklinkKeys.parse(both, 2));
        for (ClocklinkAuth sender : new ClocklinkAuth[] {oldSender, newSender}) {
            ClocklinkMessage m = WireCodecTest.golden(Wire.TYPE_SYNC_REQUEST);
            m.keyId = sender.sendKeyId();
            byte[] b = new byte[64];
            int len = ClocklinkCodec.encode(m, b, 0);
            sender.sign(b, 0, len);
            assertNull(ClocklinkCodec.checkAuth(receiver, b, 0, len));
        }
        // Once the old key is removed, its packets are unknown-key drops.
        ClocklinkMessage m = WireCodecTest.golden(Wire.TYPE_SYNC_REQUEST);
        m.keyId = 1;
        byte[] b = new byte[64];
        int len = ClocklinkCodec.encode(m, b, 0);
        oldSender.sign(b, 0, len);
        assertEquals(DropReason.UNKNOWN_KEY, ClocklinkCodec.checkAuth(newSender, b, 0, len));
    }
}
