"""ComfyUI: the `prompt` (API graph) and `workflow` (editor graph) JSON it saves with each image.

The API graph maps node ids to `{class_type, inputs}`, where an input is a value or a link
`[node_id, output_index]`. Checkpoints and LoRAs are found by their input names (`ckpt_name`,
`unet_name`, `lora_name`...), which custom loader nodes keep; prompts are found by following the
sampler's `positive` and `negative` links back to the text nodes, so that texts of unused nodes
are not reported as the prompt. WebP files carry both graphs in EXIF Make and Model fields.
"""

from __future__ import annotations

from typing import Any

from clearsight.provenance.context import ImageContext
from clearsight.provenance.evidence import Evidence, LoraRef, Strength, unreadable
from clearsight.provenance.generators.common import json_object, model_name, number, text_or_none

CHECKPOINT_INPUTS = ("ckpt_name", "unet_name", "model_name", "base_ckpt_name")
TEXT_INPUTS = ("text", "text_g", "text_l", "t5xxl", "clip_l", "prompt", "string", "value", "text_positive", "text_negative")
MAX_LINK_DEPTH = 16


def _graphs(context: ImageContext) -> tuple[str | None, str | None]:
    prompt, workflow = context.text("prompt"), context.text("workflow")
    make, model = context.exif("Make") or "", context.exif("Model") or ""
    for field in (make, model):
        if field.startswith("workflow:"):
            workflow = field[len("workflow:") :]
        elif field.startswith("prompt:"):
            prompt = field[len("prompt:") :]
    return prompt, workflow


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], (str, int)) and isinstance(value[1], int)


def _texts_behind(graph: dict[str, Any], link: Any) -> list[str]:
    """The prompt texts that feed a conditioning input, following links breadth-first."""
    texts: list[str] = []
    queue, seen = [(link, 0)], set()
    while queue:
        current, depth = queue.pop(0)
        node_id = str(current[0])
        if node_id in seen or depth > MAX_LINK_DEPTH:
            continue
        seen.add(node_id)
        node = graph.get(node_id)
        inputs = node.get("inputs") if isinstance(node, dict) else None
        if not isinstance(inputs, dict):
            continue
        for key, value in inputs.items():
            if key in TEXT_INPUTS and isinstance(value, str) and value.strip():
                texts.append(value.strip())
            elif _is_link(value):
                queue.append((value, depth + 1))
    return list(dict.fromkeys(texts))


def _power_loras(values: Any) -> list[LoraRef]:
    """rgthree's Power Lora Loader keeps each LoRA as `{on, lora, strength}` (an input or a widget)."""
    return [
        LoraRef(model_name(value["lora"]), None, number(value.get("strength")))
        for value in values
        if isinstance(value, dict) and isinstance(value.get("lora"), str) and value.get("on", True) and value["lora"] != "None"
    ]


def _from_api_graph(graph: dict[str, Any]) -> dict[str, Any]:
    checkpoints: list[str] = []
    loras: list[LoraRef] = []
    positive: list[str] = []
    negative: list[str] = []
    for node in graph.values():
        if not isinstance(node, dict) or not isinstance(node.get("inputs"), dict):
            continue
        inputs: dict[str, Any] = node["inputs"]
        for key in CHECKPOINT_INPUTS:
            if isinstance(inputs.get(key), str):
                checkpoints.append(model_name(inputs[key]))
        if isinstance(inputs.get("lora_name"), str):
            loras.append(LoraRef(model_name(inputs["lora_name"]), None, number(inputs.get("strength_model", inputs.get("strength")))))
        loras += _power_loras(inputs.values())
        for key, target in (("positive", positive), ("conditioning", positive), ("negative", negative)):
            if _is_link(inputs.get(key)):
                target.extend(_texts_behind(graph, inputs[key]))
    return {"checkpoints": checkpoints, "loras": loras, "prompt": positive, "negative_prompt": negative}


def _from_workflow(workflow: dict[str, Any]) -> dict[str, Any]:
    """The editor graph has no named inputs: loader widgets hold [name, strength...] by position."""
    checkpoints: list[str] = []
    loras: list[LoraRef] = []
    texts: list[str] = []
    nodes = workflow.get("nodes")
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        kind = str(node.get("type", ""))
        widgets = node.get("widgets_values")
        if not isinstance(widgets, list) or not widgets:
            continue
        first = widgets[0]
        loras += _power_loras(widgets)
        if "Checkpoint" in kind or kind in ("UNETLoader", "UnetLoaderGGUF"):
            if isinstance(first, str):
                checkpoints.append(model_name(first))
        elif "Lora" in kind and isinstance(first, str):
            loras.append(LoraRef(model_name(first), None, number(widgets[1]) if len(widgets) > 1 else None))
        elif "TextEncode" in kind:
            texts.extend(value.strip() for value in widgets if isinstance(value, str) and value.strip())
    return {"checkpoints": checkpoints, "loras": loras, "prompt": texts, "negative_prompt": []}


class ComfyUIReader:
    """ComfyUI graphs in PNG text chunks or WebP EXIF."""

    name = "comfyui"

    def read(self, context: ImageContext) -> list[Evidence]:
        prompt_text, workflow_text = _graphs(context)
        if prompt_text is None and workflow_text is None:
            return []
        graph = json_object(prompt_text) if prompt_text else None
        workflow = json_object(workflow_text) if workflow_text else None
        if graph is None and workflow is None:
            return [unreadable("comfyui", "the ComfyUI `prompt`/`workflow` metadata is not a JSON object")]
        if graph is not None and not any(isinstance(node, dict) and "class_type" in node for node in graph.values()):
            graph = None  # a `prompt` chunk that is not a ComfyUI graph (other tools use the key too)
            if workflow is None:
                return []
        found = _from_api_graph(graph) if graph is not None else _from_workflow(workflow or {})
        claims: dict[str, Any] = {"found_in": "api graph" if graph is not None else "workflow"}
        if len(found["checkpoints"]) > 1:
            claims["checkpoints"] = found["checkpoints"]
        if found["prompt"]:
            claims["prompt"] = "\n".join(found["prompt"])
        if found["negative_prompt"]:
            claims["negative_prompt"] = "\n".join(found["negative_prompt"])
        return [
            Evidence(
                source="comfyui",
                strength=Strength.STRONG,
                ai_generated=True,
                tool="ComfyUI",
                model=text_or_none(found["checkpoints"][0]) if found["checkpoints"] else None,
                loras=found["loras"],
                claims=claims,
            )
        ]
