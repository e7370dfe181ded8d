"""The one list of sensitive fields: free text that may describe the content itself.

Generation prompts and negative prompts, prompt templates and wildcards (A1111 Dynamic Prompts'
`Template`), training captions and tag frequencies, class tokens and trigger phrases, dataset
folder names (kohya names them `10_<class token>`), training comments and descriptions, and any
other free text a generator or trainer wrote. They are evidence, so they are stored; every
reader marks them with these rules and every output (scan records, `explain`, `models scan`,
the item page, the API, case exports) hides them unless an analyst reveals them for one item.
"""

from __future__ import annotations

CHARACTER_CARD_TEXTS = ("card_name", "card_creator", "card_description", "card_personality", "card_scenario", "card_first_message",
                        "card_example_messages", "card_system_prompt", "card_creator_notes", "card_tags")
"""The free texts of a chatbot character card (`provenance.character_card`): all hidden, the name too."""
SENSITIVE_CLAIMS = frozenset({"prompt", "negative_prompt", "template", "negative_template", "caption", "other_tags", "prompt_writer",
                              *CHARACTER_CARD_TEXTS})
"""Provenance claim keys whose values are free text (`other_tags`: a container's non-technical tags;
`prompt_writer`: the person IPTC names as a prompt's author)."""

_SETTING_WORDS = ("prompt", "template", "wildcard", "caption")
"""A generator setting whose name holds one of these is free text (A1111 `Hires prompt`, `Template`...)."""

_METADATA_WORDS = ("tag_frequency", "dataset", "class_token", "caption", "trigger", "prompt", "comment", "description")
"""A model file's metadata key holding one of these is training text (kohya `ss_tag_frequency`,
`ss_datasets`, `ss_dataset_dirs`, `ss_training_comment`, `modelspec.trigger_phrase`, GGUF
`general.description`...)."""


def is_sensitive_setting(name: str) -> bool:
    """Whether a generator's setting of this name is free text to hide."""
    lowered = name.lower()
    return any(word in lowered for word in _SETTING_WORDS)


def is_sensitive_metadata(key: str) -> bool:
    """Whether a model file's metadata field is training text to hide."""
    lowered = key.lower()
    return any(word in lowered for word in _METADATA_WORDS)
