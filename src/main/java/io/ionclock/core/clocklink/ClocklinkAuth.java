package io.ionclock.core.clocklink;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA-256 over a message, truncated to {@link Wire#MAC_SIZE_BYTES} (16 bytes, as RFC 4868's
 * HMAC-SHA-256-128), with the key named by the message's key id. One instance per thread (it holds the
 * {@link Mac}s and a scratch buffer); allocation-free after construction.
 */
public final class ClocklinkAuth {
    private final ClocklinkKeys keys;
    private final Mac[] macs;
    private final int sendIndex;
    private final byte[] full = new byte[32];

    public ClocklinkAuth(ClocklinkKeys keys) {
        this.keys = keys;
        this.macs = new Mac[keys.size()];
        try {
            for (int i = 0; i < keys.size(); i++) {
                macs[i] = Mac.getInstance("HmacSHA256");
                macs[i].init(new SecretKeySpec(keys.secret(i), "HmacSHA256"));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
        this.sendIndex = keys.indexOf(keys.sendKeyId());
    }

    public ClocklinkKeys keys() {
        return keys;
    }

    public long sendKeyId() {
        return keys.sendKeyId();
    }

    /** The index of a key id, or -1 when the key is unknown. */
    public int keyIndex(long keyId) {
        return keys.indexOf(keyId);
    }

    /**
     * Writes the MAC of {@code buf[off, off + length - MAC_SIZE_BYTES)} into the last
     * {@link Wire#MAC_SIZE_BYTES} of the message, with the key whose id the header carries (which must be known).
     */
    public void sign(byte[] buf, int off, int length) {
        int index = keys.indexOf(Wire.keyId(buf, off));
        if (index < 0) {
            throw new IllegalArgumentException("unknown key id " + Wire.keyId(buf, off));
        }
        compute(index, buf, off, length - Wire.MAC_SIZE_BYTES);
        System.arraycopy(full, 0, buf, off + length - Wire.MAC_SIZE_BYTES, Wire.MAC_SIZE_BYTES);
    }

    /** The send key's index (for {@link Wire#writeHeader}'s key id). */
    int sendIndex() {
        return sendIndex;
    }

    /** Checks the MAC at the end of the message with key {@code keyIndex}, in constant time. */
    public boolean verify(int keyIndex, byte[] buf, int off, int length) {
        int macOff = off + length - Wire.MAC_SIZE_BYTES;
        compute(keyIndex, buf, off, length - Wire.MAC_SIZE_BYTES);
        int diff = 0;
        for (int i = 0; i < Wire.MAC_SIZE_BYTES; i++) {
            diff |= full[i] ^ buf[macOff + i];
        }
        return diff == 0;
    }

    private final byte[] cookieInput = new byte[32];
    private static final byte[] COOKIE_LABEL = "CLcookie".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * A JOIN cookie: the first 8 bytes of HMAC-SHA-256 with the send key over {@code "CLcookie"} and three numbers
     * (byte 2 of the label is not version 1, so no message's MAC input is ever the same). Never 0 (0 means none).
     */
    long cookie(long a, long b, long c) {
        System.arraycopy(COOKIE_LABEL, 0, cookieInput, 0, 8);
        Wire.putI64(cookieInput, 8, a);
        Wire.putI64(cookieInput, 16, b);
        Wire.putI64(cookieInput, 24, c);
        compute(sendIndex, cookieInput, 0, cookieInput.length);
        long v = Wire.getI64(full, 0);
        return v == 0 ? 1 : v;
    }

    private void compute(int index, byte[] buf, int off, int len) {
        Mac mac = macs[index];
        mac.update(buf, off, len);
        try {
            mac.doFinal(full, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ClocklinkAuth{" + keys + "}";
    }
}
