"""Ballot campaigns (DOMAIN.md "Ballots"): open, issue codes, close; look up and cast a vote.

Codes: 12 characters from a 31-character alphabet without look-alikes (no 0/O, 1/I/L), drawn
with `secrets` (the OS CSPRNG): 31**12 ~ 7.9e17 codes. Only an HMAC-SHA256 of a code, keyed
with the application's secret, is stored: the database alone does not give the codes back,
not even by trying them all. The plain codes exist once, in the answer to the issuing request.

Voting runs as the system actor "ballot" inside cast(): the voter is anonymous, so the read
scoping (which shows an anonymous visitor nothing) must not apply, and nobody's rights are
borrowed. Unknown codes are counted per client address (as a keyed hash, per time window);
an address over the limit is refused every look-up until the window ends. Valid codes are
never counted, so a room of forty voting through one network is not blocked.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import DomainError, Refused
from app.extensions import db
from app.models import (
    AssessmentRound, Ballot, BallotCampaign, BallotCode, BallotThrottle, Branch, Committee, GeneralBranch,
    StandardItem,
)
from app.scoring import BallotInputError, check_min_turnout, parse_answers
from app.models.choices import UPWARD_ITEMS
from app.security.rules import may
from app.security.scope import system_actor, unscoped
from app.services.ballot_tally import turnouts
from app.services.tx import commit

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 12
MAX_CODES_PER_ISSUE = 500
MAX_CODE_INPUT = 40


class BallotError(DomainError):
    """A campaign request the ballot rules refuse (HTTP 400)."""


class CampaignRefused(BallotError, Refused):
    """This role does not organize ballot campaigns (HTTP 403)."""


class UnknownCode(BallotError):
    """No such code (HTTP 404)."""


class CodeUsed(BallotError):
    """The code has voted already (HTTP 409)."""


class CampaignClosed(BallotError):
    """The code's campaign (or its round) is closed (HTTP 410)."""


class TooManyLookups(BallotError):
    """Too many unknown codes from this address just now (HTTP 429)."""


class BadAnswers(BallotError):
    """The form's answers are incomplete or out of range (HTTP 400); `.field` names the field."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


# -- codes ------------------------------------------------------------------------------------

def new_code() -> str:
    """One fresh code from the CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


SEED_BYTES = 32


def new_seed() -> bytes:
    """256 bits from the CSPRNG: the whole of a batch of codes, in 32 bytes."""
    return secrets.token_bytes(SEED_BYTES)


def codes_from_seed(seed: bytes, count: int) -> list[str]:
    """The batch a seed stands for: HMAC-SHA256(seed, counter) as a deterministic random bit
    generator (the HMAC-DRBG idea), bytes mapped onto the alphabet by rejection sampling
    (only bytes below 31*8 = 248 count, so every character is equally likely).

    The view keeps only the seed in the organizer's session between the POST that issues
    a batch and the one page that shows it (POST-redirect-GET): a batch of 500 codes would
    not fit into a session cookie, a seed does."""
    if len(seed) != SEED_BYTES:
        raise ValueError("a batch seed is 32 bytes")
    codes, seen, counter, chars = [], set(), 0, []
    limit = len(ALPHABET) * (256 // len(ALPHABET))
    while len(codes) < count:
        block = hmac.new(seed, counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
        for byte in block:
            if byte >= limit:
                continue
            chars.append(ALPHABET[byte % len(ALPHABET)])
            if len(chars) == CODE_LENGTH:
                code = "".join(chars)
                chars = []
                if code not in seen:
                    seen.add(code)
                    codes.append(code)
                if len(codes) == count:
                    break
    return codes


def normalise(text) -> str | None:
    """What a voter typed or scanned, as a code: upper case, without spaces and hyphens."""
    if not isinstance(text, str) or len(text) > MAX_CODE_INPUT:
        return None
    code = text.replace("-", "").replace(" ", "").upper()
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def pretty(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read off a slip and to type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _key() -> bytes:
    secret = current_app.config.get("ZHIBU_BALLOT_KEY") or current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"zhibu-ballot-code:" + str(secret).encode()).digest()


def digest(code: str) -> str:
    """The stored form of a code: HMAC-SHA256 keyed with the application's secret."""
    return hmac.new(_key(), code.encode(), hashlib.sha256).hexdigest()


# -- campaigns (the organizers) ----------------------------------------------------------------

def _check_organizer(actor):
    if actor is None or not may(BallotCampaign, actor, "create"):
        raise CampaignRefused(_("只有组织考评的党总支或党委可以组织匿名测评；被评议的党支部不能为自己组织。"))


def open_campaign(round_: AssessmentRound, branch: Branch, kind: str, min_turnout, actor, user=None) -> BallotCampaign:
    """Open a members or masses campaign for a branch in a round (the rules say who may)."""
    _check_organizer(actor)
    if round_ is None or branch is None:
        raise BallotError(_("请选择考评批次和党支部。"))
    if round_.is_closed:
        raise BallotError(_("考评批次「%(name)s」已结束，不能再组织测评。", name=round_.name))
    if kind not in ("members", "masses"):
        raise BallotError(_("请选择测评类型：党员评议或群众满意度。"))
    try:
        min_turnout = check_min_turnout(min_turnout)
    except ValueError:
        raise BallotError(_("最低有效票数须为 1 到 10000 之间的整数。")) from None
    if branch.general_branch.committee_id != round_.committee_id:
        raise BallotError(_("该党支部不属于组织这个考评批次的党委。"))
    exists = db.session.scalar(unscoped(select(BallotCampaign.id).where(
        BallotCampaign.round_id == round_.id, BallotCampaign.branch_id == branch.id, BallotCampaign.kind == kind)))
    if exists:
        raise BallotError(_("该党支部在本批次已有这一类测评，请在原测评中追加选票代码。"))
    campaign = BallotCampaign(committee_id=round_.committee_id, round=round_, branch=branch, kind=kind,
                              min_turnout=min_turnout, status="open", issued=0, opened_on=date.today(),
                              opened_by_id=getattr(user, "id", None))
    db.session.add(campaign)
    try:
        commit()
    except IntegrityError:  # two organizers at once: the unique (round, branch, kind) decides
        db.session.rollback()
        raise BallotError(_("该党支部在本批次已有这一类测评，请在原测评中追加选票代码。")) from None
    return campaign


def _check_upward_organizer(actor):
    """联评 is organized by the committee only (for its general branches and for itself)."""
    if actor is None or actor.kind not in ("committee", "all", "system"):
        raise CampaignRefused(_("联评（对党总支和党委抓党支部建设工作的评议）只能由党委组织。"))


def open_upward_campaign(round_: AssessmentRound, general_branch: GeneralBranch | None, min_turnout, actor,
                         user=None) -> BallotCampaign:
    """Open a 联评 campaign in a round about a general branch, or (None) about the committee."""
    _check_organizer(actor)
    _check_upward_organizer(actor)
    if round_ is None:
        raise BallotError(_("请选择考评批次。"))
    if round_.is_closed:
        raise BallotError(_("考评批次「%(name)s」已结束，不能再组织测评。", name=round_.name))
    try:
        min_turnout = check_min_turnout(min_turnout)
    except ValueError:
        raise BallotError(_("最低有效票数须为 1 到 10000 之间的整数。")) from None
    if general_branch is not None and general_branch.committee_id != round_.committee_id:
        raise BallotError(_("该党总支不属于组织这个考评批次的党委。"))
    target_id = general_branch.id if general_branch is not None else None
    exists = db.session.scalar(unscoped(select(BallotCampaign.id).where(
        BallotCampaign.round_id == round_.id, BallotCampaign.kind == "upward",
        BallotCampaign.target_general_branch_id.is_(None) if target_id is None
        else BallotCampaign.target_general_branch_id == target_id)))
    if exists:
        raise BallotError(_("本批次已有对该组织的联评，请在原测评中追加选票代码。"))
    campaign = BallotCampaign(committee_id=round_.committee_id, round=round_, branch=None,
                              target_general_branch=general_branch, kind="upward", min_turnout=min_turnout,
                              status="open", issued=0, opened_on=date.today(), opened_by_id=getattr(user, "id", None))
    db.session.add(campaign)
    try:
        commit()
    except IntegrityError:  # two at once: the unique indexes decide
        db.session.rollback()
        raise BallotError(_("本批次已有对该组织的联评，请在原测评中追加选票代码。")) from None
    return campaign


def issue_codes(campaign: BallotCampaign, count, actor, seed: bytes | None = None) -> list[str]:
    """N new one-time codes for an open campaign; returns them in plain text, this once.

    With a seed (new_seed()), the codes are codes_from_seed(seed, count): the caller may keep
    the seed instead of the codes until it shows them."""
    _check_organizer(actor)
    if campaign.kind == "upward":
        _check_upward_organizer(actor)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_CODES_PER_ISSUE:
        raise BallotError(_("每次可发放 1 到 %(max)d 个选票代码。", max=MAX_CODES_PER_ISSUE))
    if not campaign.is_open:
        raise BallotError(_("测评已结束，不能再发放选票代码。"))
    if seed is None:
        codes = set()
        while len(codes) < count:
            codes.add(new_code())
        codes = sorted(codes, key=lambda _c: secrets.randbits(32))
    else:
        codes = codes_from_seed(seed, count)
    db.session.add_all(BallotCode(campaign=campaign, digest=digest(c), used=False) for c in codes)
    campaign.issued = (campaign.issued or 0) + count
    commit()
    return codes


def close_campaign(campaign: BallotCampaign, actor) -> None:
    """Close a campaign: its tally is final from now on."""
    _check_organizer(actor)
    if campaign.kind == "upward":
        _check_upward_organizer(actor)
    if campaign.status == "closed":
        raise BallotError(_("该测评已经结束。"))
    campaign.status, campaign.closed_on = "closed", date.today()
    commit()


def campaigns_in_scope():
    """The campaigns the actor organizes (scoped by the rules), with their turnout."""
    rows = db.session.scalars(select(BallotCampaign).where(BallotCampaign.kind != "upward")
                              .order_by(BallotCampaign.id.desc())).all()
    # counting votes is how an organizer follows its campaign; single votes stay unread
    counts = turnouts(db.session, [c.id for c in rows])
    return [(c, counts.get(c.id, 0)) for c in rows]


# -- voting (anyone holding a code) -------------------------------------------------------------

def _client_key(address: str) -> str:
    return hmac.new(_key(), b"client:" + str(address or "").encode(), hashlib.sha256).hexdigest()


def _window() -> tuple[int, int]:
    seconds = int(current_app.config.get("ZHIBU_BALLOT_LOOKUP_WINDOW", 600))
    return int(time.time()) // seconds, int(current_app.config.get("ZHIBU_BALLOT_LOOKUP_LIMIT", 20))


def _check_throttle(address: str) -> None:
    window, limit = _window()
    failures = db.session.scalar(unscoped(select(func.coalesce(func.sum(BallotThrottle.failures), 0)).where(
        BallotThrottle.client == _client_key(address), BallotThrottle.period == window)))
    if failures >= limit:
        raise TooManyLookups(_("这个网络地址刚才输入了太多无效的选票代码，请过几分钟再试。"))


def _count_failure(address: str) -> None:
    """One more unknown code from this address, in its own small transaction."""
    db.session.rollback()
    window, _limit = _window()
    client = _client_key(address)
    for _attempt in range(3):
        done = db.session.execute(update(BallotThrottle).where(
            BallotThrottle.client == client, BallotThrottle.period == window,
        ).values(failures=BallotThrottle.failures + 1).execution_options(synchronize_session=False)).rowcount
        if not done:
            db.session.add(BallotThrottle(client=client, period=window, failures=1))
        db.session.execute(delete(BallotThrottle).where(BallotThrottle.period < window - 1)
                           .execution_options(synchronize_session=False))
        try:
            db.session.commit()
            return
        except IntegrityError:  # another request inserted the row first: add to it
            db.session.rollback()


def _campaign_of(code_text: str, address: str):
    """The code's row and campaign, or the refusal a voter sees (unknown, used, closed)."""
    _check_throttle(address)
    code = normalise(code_text)
    row = None if code is None else db.session.scalar(unscoped(
        select(BallotCode).where(BallotCode.digest == digest(code))))
    if row is None:
        _count_failure(address)
        raise UnknownCode(_("没有这个选票代码，请核对选票上的代码。"))
    if row.used:
        raise CodeUsed(_("这个选票代码已经投过票了：每个代码只能投票一次。"))
    campaign = db.session.get(BallotCampaign, row.campaign_id)
    if not campaign.is_open:
        raise CampaignClosed(_("这次测评已经结束，不能再投票。"))
    return row, campaign


def ballot_page(code_text: str, address: str) -> dict:
    """What the voting page shows for a code: the branch, the kind, the standards' texts."""
    with system_actor("ballot"):
        _row, campaign = _campaign_of(code_text, address)
        if campaign.kind == "upward":
            return _upward_page(campaign)
        branch = db.session.get(Branch, campaign.branch_id)
        standards = db.session.scalars(unscoped(select(StandardItem).where(
            StandardItem.category == branch.category).order_by(StandardItem.number))).all()
        return {"kind": campaign.kind, "branch": branch.name, "general_branch": branch.general_branch.name,
                "round": campaign.round.name,
                "standards": [(s.number, s.title, s.connotation, s.elements) for s in standards]}


def target_name(campaign: BallotCampaign) -> str:
    """Whom an upward campaign judges: the general branch, or the committee itself."""
    if campaign.target_general_branch_id is not None:
        return db.session.get(GeneralBranch, campaign.target_general_branch_id).name
    return db.session.get(Committee, campaign.committee_id).name


def _upward_page(campaign: BallotCampaign) -> dict:
    committee = db.session.get(Committee, campaign.committee_id)
    return {"kind": "upward", "branch": target_name(campaign), "general_branch": committee.name,
            "round": campaign.round.name,
            "standards": [(i, str(title), str(text), "") for i, (title, text) in enumerate(upward_items(), start=1)]}


def upward_items() -> list:
    """The five items of a 联评 ballot, translated (titles and what each asks)."""
    return [(str(title), str(text)) for title, text in UPWARD_ITEMS]


def cast(code_text: str, form, address: str) -> str:
    """Cast one vote: check the code and the campaign, write the vote, spend the code, at once.

    The vote row holds the answers and the day; the code row only turns `used`. Returns the kind."""
    with system_actor("ballot"):
        row, campaign = _campaign_of(code_text, address)
        try:
            answers = parse_answers(campaign.kind, form)
        except BallotInputError as exc:
            message = (_("每项得分须为 0 到 20 之间的整数。") if exc.field.startswith("s")
                       else _("请选择满意、基本满意或不满意。"))
            raise BadAnswers(message, exc.field) from None
        spent = db.session.execute(update(BallotCode).where(
            BallotCode.id == row.id, BallotCode.used.is_(False),
        ).values(used=True).execution_options(synchronize_session=False)).rowcount
        if spent != 1:  # the same code submitted twice at once: the first one counts
            db.session.rollback()
            raise CodeUsed(_("这个选票代码已经投过票了：每个代码只能投票一次。"))
        db.session.add(Ballot(campaign_id=campaign.id, cast_on=date.today(), **answers))
        commit()
        return campaign.kind
