"""The stance-cue lexicon: the words by which news reports accusations, denials and doubts.

Each category maps to a fine `response` tag of the guidelines (docs/guidelines.md) and, through
it, to a coarse label; CAMEO / PETRARCH verb classes are the model (112 accuse, 13x threaten,
163 sanction, 016 deny, 111 criticise, 018 empathise). The patterns are stems, so inflections
match ("accus" -> accuses, accused, accusation). stance.model.cues finds them in text; they
feed the model as features and the rule-based cue baseline as rules.
"""

from __future__ import annotations

from typing import Final

from stance.core.schema import LABELS

SUPPORT, OPPOSE, NEUTRAL = LABELS

# category -> (coarse label the cue points to, patterns)
LEXICON: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "accuse": (
        SUPPORT,
        (
            r"accus\w*",
            r"blam\w*",
            r"attribut\w*",
            r"responsib\w*",
            r"conclu(?:de|ded|des|sion)\w*",
            r"pinpoint\w*",
            r"culprit",
            r"(?:was|were|is|are) behind",
            r"carried out",
            r"orchestrat\w*",
            r"perpetrat\w*",
            r"implicat\w*",
            r"allegations?",
            r"indict\w*",
            r"charg(?:e|ed|es|ing)",
            r"point(?:s|ed)? (?:the finger )?at",
            r"linked (?:it )?to",
            r"tied (?:it )?to",
            r"state[- ]sponsored",
            r"at the behest",
            r"named \w+ as",
            r"identif(?:y|ied|ies) \w+ as",
            r"high confidence",
            r"evidence (?:shows|showed|points)",
            # "pinned the attack on", "pin the blame on": the accuser fixes it on the accused.
            r"pin(?:s|ned|ning)? (?:the )?(?:\w+ )?(?:attack|blame|hack|breach|intrusion|responsibility|it) on",
            r"accountable",
        ),
    ),
    "retaliate": (
        SUPPORT,
        (
            r"sanction\w*",
            r"retaliat\w*",
            r"revenge",
            r"proportional\w*",
            r"take action",
            r"punish\w*",
            r"consequences",
            r"expel\w*",
            r"counter-?measures?",
            r"hit back",
            r"pay a price",
            r"vow(?:s|ed)? to respond",
            r"respond(?:ed)? (?:in kind|forcefully)",
            r"threat(?:s|en|ens|ened)?",
            r"measures against",
            r"indictments?",
        ),
    ),
    "endorse": (
        SUPPORT,
        (
            r"agree[ds]? with",
            r"concur\w*",
            r"echo(?:ed|es)",
            # "backed Washington's finding", "supported the U.S. decision to blame", "welcomed
            # the American findings": a third party endorsing the accuser's conclusion.
            r"(?:back|support|welcom|endors|shar)(?:e|s|es|ed|ing)? (?:the |its |their |this )?(?:[\w.-]+(?:['’]s)? ){0,2}(?:finding|assessment|conclusion|attribution|decision|statement|position|determination|judgement|judgment|move|sanctions|indictment|response)s?",
            r"st(?:and|ands|anding|ood) (?:firmly |squarely |fully )?behind",
            r"join(?:s|ed|ing)? (?:\w+ ){0,3}in (?:blaming|condemning|attributing|accusing|denouncing|naming)",
            r"join(?:s|ed)? (?:the )?(?:us|u\.s\.|britain|allies)",
            r"confirm(?:s|ed)? (?:the )?(?:finding|assessment|attribution)",
            r"stand(?:s)? (?:with|by) (?:the )?(?:us|u\.s\.|allies|washington|london)",
            r"also blamed",
            r"supported the (?:finding|assessment|attribution)",
            r"in solidarity with (?:the )?(?:us|u\.s\.|victims)",
        ),
    ),
    "deny": (
        OPPOSE,
        (
            r"den(?:y|ied|ies|ying|ial)",
            r"reject\w*",
            r"refut\w*",
            r"dismiss\w*",
            r"no hand in",
            r"not involved",
            r"no involvement",
            r"nothing to do with",
            r"not responsible",
            r"(?:played|plays|had|has|have) no (?:part|role|hand|involvement)",
            # Dismissals in reported speech: "shrugged off suggestions", "brushed aside".
            r"shrug(?:s|ged|ging)? off",
            r"brush(?:es|ed|ing)? (?:off|aside)",
            r"laugh(?:s|ed|ing)? off",
            r"rebu(?:t|ts|tted|tting|ff|ffs|ffed|ffing)\b",
            r"scoff(?:s|ed|ing)? at",
            r"str(?:ike|ikes|uck|iking) back at",
            r"no (?:connection|link)s? (?:to|with)",
            r"(?:cooked|trumped)[- ]up",
            r"concoct\w*",
            r"hoax\w*",
            r"innocen\w*",
            r"baseless",
            r"groundless",
            r"fabricat\w*",
            r"absurd\w*",
            r"slander\w*",
            r"smear\w*",
            r"unfounded",
            r"nonsense",
            r"ridiculous",
            r"false(?:hood)?s?",
            r"lies?\b",
            r"made[- ]up",
            r"invent(?:ed|ion)",
            r"disinformation",
            r"farce",
            r"fiction",
        ),
    ),
    "dispute_evidence": (
        OPPOSE,
        (
            r"no (?:proof|evidence)",
            # "has not presented any evidence", "never produced proof": said by another.
            r"(?:not|never|n't) (?:yet )?(?:\w+ )?(?:show|present|produc|provid|shar|releas|offer|give|gave|given)\w* (?:\w+ ){0,2}(?:proof|evidence)",
            r"demand(?:s|ed|ing)? (?:\w+ ){0,2}(?:proof|evidence)",
            r"without (?:any )?(?:proof|evidence)",
            r"lack of (?:proof|evidence)",
            r"fail(?:ed|s)? to (?:offer|provide|show|present|produce)",
            r"(?:show|present|produce|provide|share|release) (?:the |any |its |their |real |hard |concrete )?(?:proof|evidence)",
            r"unconvinc\w*",
            r"insufficient",
            r"thin evidence",
            r"circumstantial",
            r"doubt\w*",
            r"skeptic\w*",
            r"sceptic\w*",
            r"question(?:s|ed|ing)? (?:the |its |their )?(?:[\w.-]+(?:['’]s)? ){0,2}(?:evidence|finding|attribution|claim|conclusion|assessment)s?",
            r"premature",
            r"speculat\w*",
            r"unproven",
            r"not (?:been )?(?:proven|proved)",
            r"prove it",
        ),
    ),
    "call_for_investigation": (
        OPPOSE,
        (
            r"joint investigation",
            r"joint (?:probe|inquiry)",
            r"independent (?:investigation|probe|inquiry)",
            r"international (?:investigation|probe|inquiry)",
            r"investigate (?:together|jointly)",
            r"(?:call(?:s|ed)? for|demand(?:s|ed)?|propos(?:e|es|ed)) an? (?:\w+ )?(?:investigation|probe|inquiry)",
        ),
    ),
    "criticize_response": (
        OPPOSE,
        (
            r"counter-?productive",
            r"dangerous",
            r"escalat\w*",
            r"provocat\w*",
            r"irresponsib\w*",
            r"reckless",
            r"hysteri\w*",
            r"politically motivated",
            r"witch[- ]hunt",
            r"warmonger\w*",
            r"criticis\w*",
            r"criticiz\w*",
            r"condemn(?:s|ed)? (?:the )?(?:threats|sanctions|accusations?|allegations?)",
            r"paranoi\w*",
            r"russophob\w*",
            r"cold war mentality",
            r"smear campaign",
            r"jump(?:s|ed|ing)? to conclusions",
            r"rush(?:es|ed|ing)? to (?:judgment|judgement|conclusions|blame)",
            r"hasty",
            r"scapegoat\w*",
            r"propaganda",
            r"mock(?:s|ed|ing|ery)?",
        ),
    ),
    "sympathize": (
        OPPOSE,
        (
            # No particular states, and no "solidarity with" / "support for": said of the
            # victim they back the accusation, said of the accused they dispute it, which a
            # lexicon cannot tell (both measured worse in grouped CV and on validation).
            # Whom a cue concerns is the actor features' business (holder, target, role).
            r"understandable",
            r"sympath\w*",
            r"sided with",
            r"stood by",
        ),
    ),
    "praise_attack": (OPPOSE, (r"righteous deed", r"prais\w*", r"hail(?:s|ed)?", r"applaud\w*")),
    # Refusals to comment and silence: the actor is named but takes no position, whatever
    # accusation words follow ("has kept quiet about the charge"). Before the negation
    # category, so "did not comment" is one refusal, not a negation.
    "no_comment": (
        NEUTRAL,
        (
            r"declin(?:e|es|ed|ing) to (?:comment|respond|elaborate|confirm|discuss|say)",
            r"refus(?:e|es|ed|ing) to (?:comment|respond|elaborate|discuss)",
            r"(?:did|does|do|would|could|has|have|had) not (?:immediately |yet )?(?:comment|respond|reply|return)\w*",
            r"(?:did|does|do|would|could|has|have|had)n't (?:immediately |yet )?(?:comment|respond|reply|return)\w*",
            r"no (?:immediate |official )?(?:comment|response|reaction)",
            r"(?:kept|keep|keeps|keeping|remained|remain|remains|stayed|stays|stay|was|were|has been|have been) (?:\w+ )?(?:quiet|silent|tight-lipped|mum)",
            r"silence",
            r"(?:could|can)(?: not|not|n't) be reached",
            r"not (?:immediately )?available for comment",
            r"requests? for comment",
            r"neither confirm(?:s|ed)? nor den(?:y|ies|ied)",
        ),
    ),
    "hedge": (
        NEUTRAL,
        (
            r"reportedly",
            r"allegedly",
            r"alleged",
            r"suspected",
            r"said to be",
            r"may have",
            r"might have",
            r"could have",
            r"rumou?r\w*",
            r"according to",
            r"unconfirmed",
            r"if true",
            r"claim(?:s|ed)? (?:that|to)",
            r"purported\w*",
        ),
    ),
    "speech": (
        NEUTRAL,
        (
            r"said",
            r"says",
            r"told",
            r"stated",
            r"added",
            r"statement",
            r"spokes(?:man|woman|person)",
            r"announced",
            r"wrote",
            r"tweeted",
            r"briefing",
        ),
    ),
    "negation": (NEUTRAL, (r"not", r"no", r"never", r"\w+n't", r"neither", r"nor", r"without")),
}
CATEGORIES: Final = tuple(LEXICON)
STANCE_CUES: Final = tuple(c for c, (label, _) in LEXICON.items() if label != NEUTRAL)
