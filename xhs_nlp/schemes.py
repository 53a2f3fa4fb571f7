"""The label schemes of the library's tasks (plain constants: importing this module
loads nothing else).

Example:
    >>> len(FRAMES), len(TECHNIQUES), sorted(CATEGORIES)[:2]
    (14, 23, ['attack_on_reputation', 'call'])
"""

from __future__ import annotations

__all__ = ["SENTIMENT_LABELS", "NON_NEGATIVE", "TARGET_LABELS", "CLAIM_LABELS", "FRAMES", "TECHNIQUES", "CATEGORIES", "RHETORICAL_CUES"]

#: sentence sentiment, in the column order of every sentiment model's probabilities
SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

#: the partial label of target-level data that tells only "not negative" (FinNSP: an entity
#: that is not a key entity of a negative text): neutral or positive
NON_NEGATIVE: str = "non-negative"

#: the labels target-level data may carry (the model predicts the first three)
TARGET_LABELS: tuple[str, ...] = (*SENTIMENT_LABELS, NON_NEGATIVE)

#: claim detection: a checkable statement of fact, or rhetoric
CLAIM_LABELS: tuple[str, ...] = ("claim", "rhetoric")

#: The 14 frames of SemEval-2023 Task 3, subtask 2.
FRAMES: tuple[str, ...] = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
    "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
    "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation",
)

#: SemEval-2023's six categories of persuasion techniques.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "attack_on_reputation": ("Name_Calling-Labeling", "Guilt_by_Association", "Doubt", "Appeal_to_Hypocrisy",
                             "Questioning_the_Reputation"),
    "justification": ("Flag_Waving", "Appeal_to_Authority", "Appeal_to_Popularity", "Appeal_to_Values",
                      "Appeal_to_Fear-Prejudice"),
    "distraction": ("Straw_Man", "Red_Herring", "Whataboutism"),
    "simplification": ("Causal_Oversimplification", "False_Dilemma-No_Choice", "Consequential_Oversimplification"),
    "call": ("Slogans", "Conversation_Killer", "Appeal_to_Time"),
    "manipulative_wording": ("Loaded_Language", "Obfuscation-Vagueness-Confusion", "Exaggeration-Minimisation",
                             "Repetition"),
}

#: The 23 persuasion techniques of SemEval-2023 Task 3, subtask 3 (category order).
TECHNIQUES: tuple[str, ...] = tuple(t for ts in CATEGORIES.values() for t in ts)

#: Rhetorical cues counted per section (names from :data:`xhs_nlp.cues.CUES`, plus
#: ``statistics``: percentages, money, dates and counts together).
RHETORICAL_CUES: tuple[str, ...] = (
    "question", "quotation", "attribution", "authority", "statistics", "hedge", "booster", "metaphor",
    "historical_analogy", "obligation", "contrast", "exclamation", "superlative", "first_person", "second_person",
)
