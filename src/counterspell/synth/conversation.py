"""Platform-neutral conversations: campaigns (request -> fulfilment -> praise) amid noise.

A conversation is a list of :class:`Event` with times, authors, reply links and ground truth; the
platform writers render it as 4chan threads, Telegram chats or Discord channels.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

from . import compose as C


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


class World:
    """State shared by every platform: creators, targets, media, invite codes, counters."""

    def __init__(self, seed: int, quote_scale: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.quote_scale = quote_scale  # 0: nobody quotes (the hardest case for linking)
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
            return self.rng.choice(self.targets), True
        t = C.make_target(self.rng, f"T{len(self.targets) + 1:06d}")
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

    def campaign_id(self, platform: str) -> str:
        self.campaigns += 1
        return f"C{self.seed:03d}-{self.campaigns:07d}"


NOISE_ROLES = ["other", "other", "other", "other", "technical", "counter_speech", "payment", "sfw"]


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
) -> list[Event]:
    """About ``budget`` events beginning at ``start``, sorted by time."""
    rng = world.rng
    quote_rate *= world.quote_scale
    events: list[Event] = []
    t = start
    while len(events) < budget:
        t += rng.expovariate(1 / gap)  # ten minutes apart by default
        if events and rng.random() < noise_share:
            role = rng.choice(NOISE_ROLES)
            rt = C.sfw_edit(rng) if role == "sfw" else C.compose(rng, role)
            parent = events[rng.randrange(len(events))] if rng.random() < 0.3 else None
            if parent is not None and parent.t >= t:
                parent = None  # nobody answers a post from the future
            events.append(
                Event(
                    t,
                    world.new_user(),
                    rt,
                    parent,
                    parent is not None and rng.random() < quote_rate,
                )
            )
            continue
        events.extend(_campaign(world, platform, t, quote_rate, invites))
    events.sort(key=lambda e: e.t)
    return events


def _campaign(
    world: World, platform: str, t: float, quote_rate: float, invites: dict[str, str]
) -> list[Event]:
    rng = world.rng
    target, repeat = world.target()
    cid = world.campaign_id(platform)
    requester = world.new_user()
    out = [
        Event(
            t,
            requester,
            C.request(rng, target, repeat),
            None,
            False,
            campaign=cid,
            part="request",
            target=target,
        )
    ]
    if rng.random() < 0.3:
        out[0].media_seed = world.new_media(t)  # the source picture the requester posts
    if rng.random() < 0.25:
        ts = t + rng.expovariate(1 / 900)
        out.append(
            Event(
                ts,
                world.new_user(),
                C.compose(rng, "source_solicitation"),
                out[0],
                rng.random() < quote_rate,
                campaign=cid,
                part="source_solicitation",
                target=target,
            )
        )
    fulfilled = rng.random() < (0.62 if not target.minor else 0.35)
    if fulfilled:
        tf = t
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            tf = tf + rng.expovariate(1 / 5400)
            creator = world.creator()
            f = Event(
                tf,
                creator,
                C.compose(rng, "fulfillment"),
                out[0],
                rng.random() < (quote_rate + 0.1 if quote_rate > 0 else 0.0),
                world.new_media(tf, cid, target.tid),
                campaign=cid,
                part="fulfillment",
                target=target,
            )
            f.reactions = {
                e: rng.randint(1, 30)
                for e in rng.sample(["🔥", "😍", "👑", "🪄", "💯"], rng.randint(0, 3))
            }
            out.append(f)
            tp = tf
            for _ in range(min(int(rng.expovariate(1 / 2.2)), 12)):
                tp += rng.expovariate(1 / 700)
                out.append(
                    Event(
                        tp,
                        world.new_user(),
                        C.compose(rng, "praise"),
                        f,
                        rng.random() < quote_rate,
                        campaign=cid,
                        part="praise",
                        target=target,
                    )
                )
            if rng.random() < 0.18 and invites:
                dest = rng.choice(sorted(invites))
                out.append(
                    Event(
                        tp + rng.expovariate(1 / 300),
                        creator,
                        C.distribution(rng, dest, invites[dest]),
                        f,
                        False,
                        campaign=cid,
                        part="distribution",
                        target=target,
                    )
                )
    return out
