"""A seized drive's mix of images, built from public-domain photographs that ship inside a pip
package (scikit-image's `data`), so a scan benchmark measures the files it will meet rather than
files that make the work easy.

Subsets, as `issue 23` describes a forensic examiner's drive:
* `camera`: 12 MP (4032 x 3024) phone-style JPEGs: a photograph upscaled, with sensor-like noise
  (luma and chroma grain) so the DCT has camera-like entropy, quality 92, 4:2:0, with EXIF
  (make, model, capture time) as phones write it;
* `social`: those pictures re-encoded as platforms do: 1080 to 2048 pixels on the long side,
  quality 70 to 85, metadata stripped;
* `png`: generator outputs at generator sizes (512 to 1216 pixels), half smooth (a blurred
  photograph) and half textured (with noise), half of them with an A1111-style parameters chunk;
* `webp`: 1024 to 2048 pixels, mostly lossy (quality 75 to 90) and some lossless.

Sources (scikit-image's bundled data; each function's docstring in `skimage/data/_fetchers.py`
gives its licence): `coffee` (CC0, Rachel Michetti), `rocket` (public domain, SpaceX),
`hubble_deep_field` (public domain, NASA), `chelsea` (CC0, Stefan van der Walt),
`immunohistochemistry` ("no known copyright restrictions"), and the `grass`, `gravel` and `brick`
textures (CC0) mixed in as fine detail. No people.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter
from PIL.PngImagePlugin import PngInfo

SUBSETS = ("camera", "social", "png", "webp")
CAMERA_SIZE = (4032, 3024)
PNG_SIZES = ((1024, 1024), (832, 1216), (1216, 832), (512, 512), (768, 768))
SOCIAL_SIDES = (1080, 1600, 2048)
EXIF_MAKE, EXIF_MODEL, EXIF_DATETIME, EXIF_SOFTWARE = 0x010F, 0x0110, 0x0132, 0x0131
PARAMETERS = ("a lighthouse on a rocky coast at dusk, oil painting\nNegative prompt: blurry\n"
              "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: {seed}, Size: {width}x{height}, Model: sd_xl_base_1.0")


def _sources() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(colour photographs as RGB arrays, greyscale textures as float arrays in [-1, 1])."""
    # Imported here: scikit-image is a benchmark-only dependency (the `bench` extra).
    from skimage import data

    photos = [data.coffee(), data.rocket(), data.hubble_deep_field(), data.chelsea(), data.immunohistochemistry()]
    textures = [data.grass(), data.gravel(), data.brick()]
    return [np.ascontiguousarray(photo[..., :3]) for photo in photos], [texture.astype(np.float32) / 127.5 - 1.0 for texture in textures]


def _detail(size: tuple[int, int], texture: np.ndarray, rng: np.random.Generator, grain: float) -> np.ndarray:
    """(height, width) float detail: a tiled texture at a random offset plus Gaussian grain."""
    width, height = size
    reps = (-(-height // texture.shape[0]), -(-width // texture.shape[1]))
    dy, dx = rng.integers(0, texture.shape[0]), rng.integers(0, texture.shape[1])
    tiled = np.roll(np.tile(texture, reps), (dy, dx), axis=(0, 1))[:height, :width]
    return tiled * 6.0 + rng.normal(0.0, grain, (height, width)).astype(np.float32)


def _picture(photo: np.ndarray, size: tuple[int, int], rng: np.random.Generator, texture: np.ndarray | None, grain: float, blur: float = 0.0) -> Image.Image:
    """A photograph cropped at random, resized to `size`, with detail and chroma noise added."""
    height, width = photo.shape[:2]
    crop_h, crop_w = int(height * rng.uniform(0.7, 1.0)), int(width * rng.uniform(0.7, 1.0))
    top, left = rng.integers(0, height - crop_h + 1), rng.integers(0, width - crop_w + 1)
    image = Image.fromarray(photo[top : top + crop_h, left : left + crop_w]).resize(size, Image.Resampling.LANCZOS)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if texture is None:
        return image
    pixels = np.asarray(image, dtype=np.float32)
    pixels += _detail(size, texture, rng, grain)[..., None]
    pixels += rng.normal(0.0, grain / 3, pixels.shape).astype(np.float32)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _camera_exif(index: int) -> Image.Exif:
    exif = Image.Exif()
    exif[EXIF_MAKE], exif[EXIF_MODEL] = ("Pixelcam", "PC-12") if index % 2 else ("Lenscorp", "LX 7")
    exif[EXIF_DATETIME] = f"2025:06:{index % 28 + 1:02d} 14:{index % 60:02d}:07"
    return exif


def build(root: Path, counts: dict[str, int], seed: int = 23) -> dict[str, list[Path]]:
    """Write the subsets into `root/<subset>/` and return their files."""
    photos, textures = _sources()
    rng = np.random.default_rng(seed)
    files: dict[str, list[Path]] = {subset: [] for subset in SUBSETS}

    def save(subset: str, name: str, writer: Callable[[Path], None]) -> None:
        path = root / subset / name
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(path)
        files[subset].append(path)

    for index in range(counts["camera"]):
        camera = _picture(photos[index % len(photos)], CAMERA_SIZE, rng, textures[index % len(textures)], grain=4.0)
        save("camera", f"IMG_{index:04d}.jpg", lambda path, image=camera, i=index: image.save(path, quality=92, subsampling=2, exif=_camera_exif(i)))
    for index in range(counts["social"]):
        side = SOCIAL_SIDES[index % len(SOCIAL_SIDES)]
        shot = _picture(photos[index % len(photos)], (2560, 1920), rng, textures[index % len(textures)], grain=4.0)
        social = shot.resize((side, side * 3 // 4), Image.Resampling.BICUBIC)
        save("social", f"social_{index:04d}.jpg", lambda path, image=social, i=index: image.save(path, quality=70 + i % 16))
    for index in range(counts["png"]):
        size = PNG_SIZES[index % len(PNG_SIZES)]
        textured = index % 2 == 0
        picture = _picture(photos[index % len(photos)], size, rng, textures[index % len(textures)] if textured else None, grain=5.0, blur=0.0 if textured else 2.5)
        info = None
        if index % 4 < 2:
            info = PngInfo()
            info.add_text("parameters", PARAMETERS.format(seed=1000 + index, width=size[0], height=size[1]))
        save("png", f"gen_{index:04d}.png", lambda path, image=picture, chunk=info: image.save(path, pnginfo=chunk))
    for index in range(counts["webp"]):
        side = (1024, 1536, 2048)[index % 3]
        picture = _picture(photos[index % len(photos)], (side, side * 2 // 3), rng, textures[index % len(textures)], grain=3.0)
        lossless = index % 5 == 4
        save("webp", f"web_{index:04d}.webp", lambda path, image=picture, exact=lossless, i=index: image.save(path, lossless=exact, quality=75 + i % 16))
    return files
