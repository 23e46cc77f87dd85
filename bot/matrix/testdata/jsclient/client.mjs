// A Matrix client in the mode Element uses: matrix-js-sdk with its Rust
// crypto and OnlySignedDevicesIsolationMode, which shares room keys only
// with devices their owner has cross-signed and decrypts only messages
// from such devices. bot/matrix's jsclient_test.go drives it.
//
// Protocol: one JSON command per line on stdin, {"id": n, "cmd": ..., ...};
// one JSON answer per line on stdout, {"id": n, "ok": {...}} or
// {"id": n, "error": "..."}. Everything else (the SDK's logging) goes to
// stderr.

import * as readline from "node:readline";
import * as sdk from "matrix-js-sdk";
import { OnlySignedDevicesIsolationMode } from "matrix-js-sdk/lib/crypto-api/index.js";

const out = process.stdout.write.bind(process.stdout);
for (const m of ["log", "info", "debug", "trace", "warn"]) {
    console[m] = (...args) => console.error(...args);
}

let client = null;
let user = null;
let password = null;
const events = []; // every timeline event seen, in order

function answer(id, ok, error) {
    out(JSON.stringify(error === undefined ? { id, ok } : { id, error: String(error) }) + "\n");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, timeoutMs, probe) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
        await sleep(100);
    }
}

async function login({ baseUrl, userId, pass }) {
    const anon = sdk.createClient({ baseUrl });
    const resp = await anon.loginRequest({
        type: "m.login.password",
        identifier: { type: "m.id.user", user: userId },
        password: pass,
        initial_device_display_name: "jsclient (OnlySignedDevicesIsolationMode)",
    });
    user = resp.user_id;
    password = pass;
    client = sdk.createClient({
        baseUrl,
        userId: resp.user_id,
        deviceId: resp.device_id,
        accessToken: resp.access_token,
    });
    await client.initRustCrypto({ useIndexedDB: false });
    const crypto = client.getCrypto();
    crypto.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());
    // The mode requires the sender to have cross-signing of its own.
    await crypto.bootstrapCrossSigning({
        authUploadDeviceSigningKeys: async (makeRequest) => {
            const auth = { type: "m.login.password", identifier: { type: "m.id.user", user }, password };
            try {
                await makeRequest(auth);
            } catch (e) {
                const session = e?.data?.session;
                if (!session) throw e;
                await makeRequest({ ...auth, session });
            }
        },
    });
    client.on(sdk.RoomEvent.Timeline, (ev) => events.push(ev));
    const prepared = new Promise((resolve) => {
        client.on(sdk.ClientEvent.Sync, (state) => {
            if (state === "PREPARED" || state === "SYNCING") resolve();
        });
    });
    await client.startClient({ initialSyncLimit: 20 });
    await prepared;
    return {
        userId: user,
        deviceId: resp.device_id,
        crossSigningReady: await crypto.isCrossSigningReady(),
    };
}

async function createRoom({ invite, name }) {
    const { room_id } = await client.createRoom({
        name,
        preset: "private_chat",
        invite: [invite],
        initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
    });
    return { roomId: room_id };
}

async function waitJoined({ roomId, userId, timeoutMs }) {
    await until(`${userId} joins ${roomId}`, timeoutMs, () => {
        const m = client.getRoom(roomId)?.getMember(userId);
        return m?.membership === "join";
    });
    return {};
}

// devices reports what this client believes about userId's devices, after
// asking the homeserver afresh, and what it knows of the user's identity.
async function devices({ userId }) {
    const crypto = client.getCrypto();
    const map = await crypto.getUserDeviceInfo([userId], true);
    const list = [];
    for (const [deviceId] of map.get(userId) ?? new Map()) {
        const s = await crypto.getDeviceVerificationStatus(userId, deviceId);
        list.push({
            deviceId,
            signedByOwner: s?.signedByOwner ?? false,
            crossSigningVerified: s?.crossSigningVerified ?? false,
            isVerified: s?.isVerified() ?? false,
        });
    }
    let masterKey = null;
    try {
        // Not in the public CryptoApi: the Rust machine's view of the
        // user's identity, for the master key it has pinned.
        const id = await crypto.olmMachine.getIdentity(new (await rustUserId())(userId));
        if (id) masterKey = Object.values(JSON.parse(id.masterKey).keys)[0];
    } catch (e) {
        masterKey = `unavailable: ${e}`;
    }
    const uv = await crypto.getUserVerificationStatus(userId);
    return {
        devices: list,
        masterKey,
        userVerified: uv.isVerified(),
        wasVerified: uv.wasCrossSigningVerified(),
        needsUserApproval: uv.needsUserApproval,
    };
}

// verifyUser signs userId's master key with this user's user-signing key,
// as an interactive verification ends; then the devices that userId
// cross-signed count as verified here. The SDK has no public call for it
// without the interactive part, so this uses the Rust machine directly.
async function verifyUser({ userId }) {
    const crypto = client.getCrypto();
    const identity = await crypto.olmMachine.getIdentity(new (await rustUserId())(userId));
    if (!identity) throw new Error(`no cross-signing identity known for ${userId}`);
    await crypto.outgoingRequestProcessor.makeOutgoingRequest(await identity.verify());
    // The machine learns of its own signature from the next key query.
    const UserId = await rustUserId();
    await crypto.outgoingRequestProcessor.makeOutgoingRequest(crypto.olmMachine.queryKeysForUsers([new UserId(userId)]));
    return await until(`${userId} verified`, 30000, async () => {
        const d = await devices({ userId });
        return d.userVerified ? d : null;
    });
}

// withdrawVerification accepts that a verified user's identity changed,
// as Element's "withdraw verification" button does.
async function withdrawVerification({ userId }) {
    await client.getCrypto().withdrawVerificationRequirement(userId);
    return await devices({ userId });
}

let UserIdClass = null;
async function rustUserId() {
    if (!UserIdClass) UserIdClass = (await import("@matrix-org/matrix-sdk-crypto-wasm")).UserId;
    return UserIdClass;
}

// waitDevice waits until this client sees deviceId of userId with the
// wanted signedByOwner; the homeserver tells it of device changes by sync.
async function waitDevice({ userId, deviceId, signedByOwner, timeoutMs }) {
    return await until(`${userId} device ${deviceId} signedByOwner=${signedByOwner}`, timeoutMs, async () => {
        const d = await devices({ userId });
        const dev = d.devices.find((x) => x.deviceId === deviceId);
        return dev && dev.signedByOwner === signedByOwner ? d : null;
    });
}

async function send({ roomId, body }) {
    const { event_id } = await client.sendMessage(roomId, { msgtype: "m.text", body });
    return { eventId: event_id };
}

async function describe(ev) {
    await client.decryptEventIfNeeded(ev);
    const info = ev.isEncrypted() ? await client.getCrypto().getEncryptionInfoForEvent(ev) : null;
    return {
        eventId: ev.getId(),
        type: ev.getType(),
        encrypted: ev.isEncrypted(),
        decryptionFailure: ev.isDecryptionFailure() ? String(ev.decryptionFailureReason) : null,
        msgtype: ev.getContent().msgtype ?? null,
        body: ev.getContent().body ?? null,
        inReplyTo: ev.getContent()["m.relates_to"]?.["m.in_reply_to"]?.event_id ?? null,
        senderDevice: ev.getWireContent().device_id ?? null,
        shieldColour: info?.shieldColour ?? null,
        shieldReason: info?.shieldReason ?? null,
    };
}

// waitReply waits for sender's reply to eventId; a message from sender
// that cannot be decrypted is reported too, as that is what a reply from
// an unsigned device looks like in this mode.
async function waitReply({ roomId, sender, eventId, timeoutMs }) {
    return await until(`reply from ${sender} to ${eventId}`, timeoutMs, async () => {
        const asked = events.findIndex((ev) => ev.getId() === eventId);
        if (asked < 0) return null;
        for (const ev of events.slice(asked + 1)) {
            if (ev.getRoomId() !== roomId || ev.getSender() !== sender) continue;
            if (ev.getType() !== "m.room.message" && ev.getType() !== "m.room.encrypted") continue;
            const d = await describe(ev);
            if (d.inReplyTo === eventId || d.decryptionFailure) return d;
        }
        return null;
    });
}

const handlers = { login, createRoom, waitJoined, devices, waitDevice, verifyUser, withdrawVerification, send, waitReply };

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
    let req;
    try {
        req = JSON.parse(line);
    } catch (e) {
        answer(null, undefined, `bad command line: ${e}`);
        return;
    }
    const h = handlers[req.cmd];
    if (!h) {
        answer(req.id, undefined, `unknown command ${req.cmd}`);
        return;
    }
    try {
        answer(req.id, (await h(req)) ?? {});
    } catch (e) {
        answer(req.id, undefined, e?.stack ?? e);
    }
});
rl.on("close", () => {
    client?.stopClient();
    process.exit(0);
});
