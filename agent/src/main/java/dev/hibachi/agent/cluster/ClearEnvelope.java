package dev.hibachi.agent.cluster;

import org.jgroups.Address;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.UUID;

/**
 * Sits between the transport and the cipher, and keeps the envelope in which each sealed message travels in clear
 * down to what the transport needs to deliver it: the sender and receiver as bare UUIDs, and no header but the
 * cipher's own.
 *
 * <p>Why: an agent's address is an {@link ExtendedUUID} that carries its name, role, HTTP and Raft addresses and
 * tags ({@link MemberAddress}), and the transport writes the addresses and headers of a message whole, outside what
 * SYM_ENCRYPT seals. So, with {@code --encrypt}, an eavesdropper would still read who every member is; and
 * JGroups' SERIALIZE copies the membership header (which names a joining or leaving member) onto the envelope. That
 * copy only serves protocols that are not in this stack, and the sealed message keeps its own: the receiving
 * SERIALIZE rebuilds the message, full addresses and headers, from what was sealed. JGroups compares and hashes
 * addresses by their UUID alone, so a bare one finds the same member in the transport's tables.
 */
final class ClearEnvelope extends Protocol {
    private final Protocol cipher;

    /** Keeps {@code cipher}'s header, which the receiving cipher needs before it can open the message. */
    ClearEnvelope(Protocol cipher) {
        this.cipher = cipher;
    }

    @Override
    public Object down(Message msg) {
        Address src = msg.getSrc() != null ? msg.getSrc() : local_addr; // the transport would fill in the full one
        Header seal = msg.getHeader(cipher.getId());
        Message envelope = msg.copy(true, false).setSrc(bare(src)).setDest(bare(msg.getDest()));
        if (seal != null) {
            envelope.putHeader(cipher.getId(), seal);
        }
        return down_prot.down(envelope);
    }

    private static Address bare(Address address) {
        return address instanceof ExtendedUUID u
                ? new UUID(u.getMostSignificantBits(), u.getLeastSignificantBits())
                : address;
    }
}
