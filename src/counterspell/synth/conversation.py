"""Platform-neutral conversations: campaigns amid noise, with the structure real threads have.

A conversation is a list of :class:`Event` with times, authors, reply links and ground truth; the
platform writers render it as 4chan threads, Telegram chats or Discord channels.

A campaign is more than request -> fulfilment -> praise. The requester comes back (bumps, a bump
naming her, one more picture "from her story" when a creator asks for better sources, "that's all
there is", insisting when someone objects); others second the request; results arrive as an
image with a word about the result or the tool, or with no text at all; the requester thanks the
creator; results are reposted for latecomers in later threads; requests that sound like a minor
are refused and reported. Around them runs the community's ordinary talk, including the sexist,
crude and lusting talk that requests nothing (``other``), and some threads are nothing but that.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

from . import compose as C
from .grammar import Family

INHERITED_FLAGS = ("minor_risk", "non_consent")  # every member of a campaign carries these


@dataclass(slots=True)
class Actor:
    key: str  # platform-neutral id; writers map it to names, trips, user ids
    creator: bool = False
    skill: float = 1.0  # creators: relative share of fulfilments


@dataclass(slots=True)
class Event:
    t: float
    actor: Actor
    role: C.RoleText
    parent: Event | None = None  # the post this one answers
    quoted: bool = False  # whether the platform shows the reply link
    media_seed: int | None = None
    media_variant: int | None = None
    campaign: str | None = None
    part: str = ""
    target: C.Target | None = None
    reactions: dict[str, int] = field(default_factory=dict)


def default_families() -> list[Family]:
    from .families import all_families

    return list(all_families().values())


class World:
    """State shared by every platform: creators, targets, media, invite codes, counters."""

    def __init__(
        self,
        seed: int,
        quote_scale: float = 1.0,
        families: list[Family] | None = None,
        minor_rate: float = 0.04,
    ) -> None:
        self.rng = random.Random(seed)
        self.minor_rate = minor_rate
        self.seed = seed
        self.quote_scale = quote_scale  # 0: nobody quotes (the hardest case for linking)
        self.writer = C.Writer(self.rng, families if families is not None else default_families())
        self.creators = [
            Actor(f"creator{i}", creator=True, skill=1.0 / (i + 1) ** 1.1) for i in range(40)
        ]
        self.targets: list[C.Target] = []
        self.campaigns = 0
        self.media_counter = seed * 1_000_003
        self.posted_media: list[
            tuple[float, int, str, str]
        ] = []  # (time, seed, campaign, target) for reposts
        self.users = 0
        self.campaign_flags: dict[str, list[str]] = {}  # flags every member of a campaign carries
        self.invites: dict[str, str] = {}  # where the conversation being written sends people
        self._sorted = True
        self._times: list[float] = []

    def media_before(self, t: float, n: int) -> list[tuple[int, str, str]]:
        """The ``n`` most recent fulfilment media posted before ``t``: what gets reposted."""
        if not self._sorted:
            self.posted_media.sort()
            self._times = [m[0] for m in self.posted_media]
            self._sorted = True
        end = bisect.bisect_left(self._times, t)
        return [
            (seed, c, tid) for _, seed, c, tid in reversed(self.posted_media[max(0, end - n) : end])
        ]

    def new_user(self) -> Actor:
        self.users += 1
        return Actor(f"user{self.users}")

    def creator(self) -> Actor:
        return self.rng.choices(self.creators, weights=[c.skill for c in self.creators], k=1)[0]

    def target(self) -> tuple[C.Target, bool]:
        """A new target, or (one time in eight) one requested before: re-requests happen."""
        if len(self.targets) > 20 and self.rng.random() < 0.12:
            old = self.rng.choice(self.targets)
            if not old.minor:
                return old, True
        t = C.make_target(self.rng, f"T{len(self.targets) + 1:06d}", self.minor_rate)
        self.targets.append(t)
        if len(self.targets) > 50_000:
            self.targets = self.targets[-25_000:]
        return t, False

    def new_media(self, t: float, campaign: str | None = None, target: str | None = None) -> int:
        self.media_counter += 1
        if campaign is not None and target is not None:
            self.posted_media.append((t, self.media_counter, campaign, target))
            self._sorted = False
        if len(self.posted_media) > 20_000:
            self.posted_media = self.posted_media[-10_000:]
        return self.media_counter

    def campaign_id(self) -> str:
        self.campaigns += 1
        return f"C{self.seed:03d}-{self.campaigns:07d}"

    def inherited(self, campaign: str) -> list[str]:
        """Flags a repost of this campaign's media carries (its request's minor_risk...)."""
        return list(self.campaign_flags.get(campaign, ()))


# Noise: what a request community talks about besides campaigns (weights), and what an ordinary
# thread on the same site talks about.
NOISE = {
    "other.chatter": 20, "other.meta": 6, "other.sexist": 7, "other.lust": 7, "other.insult": 7,
    "other.sfw_edit": 5, "other.age": 4, "other.game": 3, "other.question": 6, "technical": 14,
    "counter_speech": 6, "payment": 8, "repost": 5, "invite": 3, "distribution.pointer": 2,
}  # fmt: skip
ORDINARY = {
    "other.chatter": 25, "other.sexist": 14, "other.lust": 14, "other.insult": 14, "other.age": 8,
    "other.game": 8, "other.question": 6, "other.meta": 4, "other.sfw_edit": 3,
}  # fmt: skip


def conversation(
    world: World,
    platform: str,
    budget: int,
    start: float,
    *,
    quote_rate: float,
    invites: dict[str, str],
    noise_share: float = 0.45,
    gap: float = 600.0,
    ordinary: bool = False,
) -> list[Event]:
    """About ``budget`` events beginning at ``start``, sorted by time.

    ``ordinary``: a thread of the same site with no requests at all (the hard negatives).
    """
    rng = world.rng
    quote_rate *= world.quote_scale
    world.invites = invites
    events: list[Event] = []
    weights = ORDINARY if ordinary else NOISE
    kinds, w = list(weights), list(weights.values())
    t = start
    while len(events) < budget:
        t += rng.expovariate(1 / gap)  # ten minutes apart by default
        if ordinary or (events and rng.random() < noise_share):
            kind = rng.choices(kinds, weights=w, k=1)[0]
            parent = events[rng.randrange(len(events))] if events and rng.random() < 0.3 else None
            if parent is not None and parent.t >= t:
                parent = None  # nobody answers a post from the future
            events.extend(_noise(world, kind, t, parent, quote_rate))
            continue
        events.extend(_campaign(world, t, quote_rate, invites))
    events.sort(key=lambda e: e.t)
    return events


def _noise(
    world: World, kind: str, t: float, parent: Event | None, quote_rate: float
) -> list[Event]:
    rng, w = world.rng, world.writer
    user = world.new_user()
    if kind == "repost":  # an older result again, for those who missed it: distribution
        pool = world.media_before(t, 60)
        if pool:
            seed, campaign, tid = pool[rng.randrange(len(pool))]
            rt = (
                w.text(user.key, "distribution", "distribution.repost")
                if rng.random() < 0.7
                else C.RoleText("distribution", "", "none/distribution.repost-silent")
            )
            rt.flags = world.inherited(campaign)
            return [Event(t, user, rt, media_seed=seed, campaign=campaign, part="distribution",
                          target=target_ref(tid))]  # fmt: skip
        kind = "other.chatter"
    if kind == "invite":  # a backup channel, a new server: moving people elsewhere
        if world.invites:
            dest = rng.choice(sorted(world.invites))
            return [Event(t, user, w.invite(user.key, dest, world.invites[dest]))]
        kind = "distribution.pointer"
    role = kind.split(".")[0]
    rt = w.text(user.key, role, kind, _money(rng))
    first = Event(t, user, rt, parent, parent is not None and rng.random() < quote_rate)
    out = [first]
    if role in ("technical", "payment") and rng.random() < 0.4:
        # a question gets answers, an offer gets takers: the thread talks among itself
        ts = t
        for _ in range(rng.choice([1, 1, 2])):
            ts += 30 + rng.expovariate(1 / 900)
            u = world.new_user() if rng.random() < 0.8 else user
            out.append(Event(ts, u, w.text(u.key, role, kind, _money(rng)), first,
                             rng.random() < quote_rate + 0.3))  # fmt: skip
    return out


def reposts(world: World, t: float, n: int, quote_rate: float) -> list[Event]:
    """A repost thread's posts: older results again "for the newcomers", and their praise."""
    rng, w = world.rng, world.writer
    out: list[Event] = []
    for _ in range(n):
        t += 60 + rng.expovariate(1 / 1200)
        shown = _noise(world, "repost", t, None, quote_rate)
        out.extend(shown)
        first = shown[0]
        if first.campaign is None:
            continue
        for _ in range(rng.choice([0, 0, 1, 2])):
            u = world.new_user()
            key = "praise.emoji" if rng.random() < 0.3 else "praise.generic"
            rt = w.text(u.key, "praise", key)
            rt.flags = world.inherited(first.campaign)
            out.append(Event(first.t + 30 + rng.expovariate(1 / 600), u, rt, first,
                             rng.random() < quote_rate + 0.2, campaign=first.campaign,
                             part="praise", target=first.target))  # fmt: skip
    return out


def _money(rng: random.Random) -> dict[str, str]:
    return {"amount": str(rng.choice([5, 10, 15, 20, 25, 40, 60])), "n": str(rng.randint(2, 300))}


def _campaign(world: World, t: float, quote_rate: float, invites: dict[str, str]) -> list[Event]:
    rng, w = world.rng, world.writer
    target, repeat = world.target()
    cid = world.campaign_id()
    requester = world.new_user()
    req_text = w.request(requester.key, target, repeat)
    inherit = [f for f in req_text.flags if f in INHERITED_FLAGS]
    if inherit:
        world.campaign_flags[cid] = inherit
        if len(world.campaign_flags) > 100_000:
            world.campaign_flags.pop(next(iter(world.campaign_flags)))
    request = Event(t, requester, req_text, campaign=cid, part="request", target=target)
    if rng.random() < 0.5:
        request.media_seed = world.new_media(t)  # the picture of her the requester posts
    out = [request]

    def member(
        ts: float, actor: Actor, rt: C.RoleText, parent: Event | None, quote_p: float, part: str,
        media: int | None = None,
    ) -> Event:  # fmt: skip
        rt.flags = sorted(set(rt.flags) | set(inherit))
        e = Event(ts, actor, rt, parent, parent is not None and rng.random() < quote_p, media,
                  campaign=cid, part=part, target=target)  # fmt: skip
        out.append(e)
        return e

    def later(t0: float, scale: float) -> float:
        return t0 + 20 + rng.expovariate(1 / scale)

    if rng.random() < 0.12:  # someone else wants her too
        u = world.new_user()
        member(later(t, 900), u, w.text(u.key, "request", "request.second"), request,
               quote_rate + 0.2, "request")  # fmt: skip
    # Objections: most requests that sound like a minor are refused and reported.
    objections = (
        rng.choice([1, 2, 3]) if target.minor and rng.random() < 0.9 else int(rng.random() < 0.12)
    )
    objection: Event | None = None
    for _ in range(objections):
        u = world.new_user()
        key = "counter_speech.minor" if target.minor else "counter_speech"
        rt = w.text(u.key, "counter_speech", key, flags=["minor_risk"] if target.minor else [],
                    foreign=not target.minor)  # fmt: skip
        objection = Event(later(t, 900), u, rt, request, rng.random() < quote_rate + 0.2)
        out.append(objection)
    if objection is not None:
        if rng.random() < 0.5:
            member(later(objection.t, 600), requester, w.text(requester.key, "request", "request.insist"),
                   objection, quote_rate + 0.2, "request")  # fmt: skip
        if rng.random() < 0.35:  # someone answers the objector: not part of the campaign
            u = world.new_user()
            out.append(Event(later(objection.t, 600), u, w.text(u.key, "other", "other.insult"),
                             objection, rng.random() < quote_rate + 0.2))  # fmt: skip
    if "payment" in req_text.flags and rng.random() < 0.6:  # the price is talked over
        c = world.creator()
        quote = member(later(t, 900), c, w.text(c.key, "payment", "payment", _money(rng)), request,
                       quote_rate + 0.2, "payment")  # fmt: skip
        if rng.random() < 0.5:
            member(later(quote.t, 600), requester,
                   w.text(requester.key, "payment", "payment", _money(rng)), quote,
                   quote_rate + 0.2, "payment")  # fmt: skip
    solicitor: Actor | None = None
    if rng.random() < 0.25:  # a creator wants better pictures; the requester answers
        c = solicitor = world.creator()
        ask = member(later(t, 900), c, w.text(c.key, "source_solicitation", "source_solicitation"),
                     request, quote_rate, "source_solicitation")  # fmt: skip
        if rng.random() < 0.75:
            if rng.random() < 0.65:
                ts = later(ask.t, 600)
                rt = (
                    w.text(requester.key, "request", "request.more_pic")
                    if rng.random() < 0.85
                    else C.RoleText("request", "", "none/request.more_pic-silent")
                )
                member(ts, requester, rt, ask, quote_rate + 0.2, "request", world.new_media(ts))
            else:
                member(later(ask.t, 600), requester,
                       w.text(requester.key, "request", "request.nothing_public"), ask,
                       quote_rate + 0.2, "request")  # fmt: skip
    fulfilled = rng.random() < (0.62 if not target.minor else 0.15)
    if not fulfilled or rng.random() < 0.3:  # waiting: the requester bumps
        for k in range(rng.choice([0, 1, 1, 1, 2])):
            key = "request.bump_name" if rng.random() < 0.35 else "request.bump"
            rt = w.text(requester.key, "request", key, {"name": target.name}, foreign=False)
            member(
                later(t + 1200 * (k + 1), 1200), requester, rt, request, quote_rate * 0.5, "request"
            )
    if not fulfilled:
        return out
    tf = t
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        tf = later(tf, 5400)
        # the creator who asked for better pictures usually delivers
        creator = solicitor if solicitor is not None and rng.random() < 0.7 else world.creator()
        kind = rng.choices(
            ["", "fulfillment.delivery", "fulfillment.remark"], weights=[3, 4, 3], k=1
        )[0]
        rt = (
            w.text(creator.key, "fulfillment", kind)
            if kind
            else C.RoleText("fulfillment", "", "none/fulfillment.silent")
        )
        f = member(tf, creator, rt, request, quote_rate + 0.1 if quote_rate > 0 else 0.0,
                   "fulfillment", world.new_media(tf, cid, target.tid))  # fmt: skip
        f.reactions = {
            e: rng.randint(1, 30)
            for e in rng.sample(["🔥", "😍", "👑", "🪄", "💯"], rng.randint(0, 3))
        }
        tp = tf
        if rng.random() < 0.5:  # the requester thanks the creator
            tp = later(tp, 600)
            member(tp, requester, w.text(requester.key, "praise", "praise.thanks"), f,
                   quote_rate + 0.2, "praise")  # fmt: skip
        for _ in range(min(int(rng.expovariate(1 / 2.0)), 12)):
            tp = later(tp, 700)
            u = world.new_user()
            key = "praise.emoji" if rng.random() < 0.25 else "praise.generic"
            member(tp, u, w.text(u.key, "praise", key), f, quote_rate, "praise")
        if invites and rng.random() < 0.15:
            dest = rng.choice(sorted(invites))
            member(later(tp, 300), creator, w.invite(creator.key, dest, invites[dest]), f, 0.0,
                   "distribution")  # fmt: skip
        elif rng.random() < 0.08:
            member(later(tp, 300), creator, w.text(creator.key, "distribution", "distribution.pointer"),
                   f, quote_rate, "distribution")  # fmt: skip
    return out


def target_ref(tid: str) -> C.Target:
    """A target known only by its pseudonym (a repost carries no description of her)."""
    return C.Target(tid=tid, name="", relationship="unknown", handle=None, minor=False,
                    doxx=None, non_consent=False)  # fmt: skip
