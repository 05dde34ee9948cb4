"""Tests for mlgarden.files.png and `mlgarden render`: the PNG decodes (with a small decoder written here
from the PNG specification, independent of the encoder) to the right pixels, dots land where their
coordinates say with y upwards, and a trained surface is red where the data is +1."""

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from mlgarden import cli
from mlgarden.files import fileformat, png
from mlgarden.document.build import Builder, tanh
from mlgarden.learning.datasets import load_dataset

SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXAMPLES = Path(__file__).resolve().parent.parent / "saved_graphs"


def decode(data: bytes) -> np.ndarray:
    """A PNG of 8-bit RGB or RGBA, any row filters, as an (height, width, channels) uint8 array."""
    assert data[:8] == SIGNATURE
    position, chunks = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in {kind}"
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    header = struct.unpack(">IIBBBBB", chunks[0][1])
    width, height, depth, colour_type, compression, filtering, interlace = header
    assert (depth, compression, filtering, interlace) == (8, 0, 0, 0)
    channels = {2: 3, 6: 4}[colour_type]
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows, previous = [], bytearray(stride)
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                nearest = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                              (abs(guess - corner), 2, corner))[2]
                line[i] = (line[i] + nearest) & 255
        rows.append(bytes(line))
        previous = line
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, channels)


# --- the encoder ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [3, 4])
def test_an_encoded_image_decodes_to_the_same_pixels(channels):
    image = np.random.default_rng(0).integers(0, 256, size=(7, 11, channels), dtype=np.uint8)
    np.testing.assert_array_equal(decode(png.encode(image)), image)


def test_float_images_are_scaled_to_bytes():
    image = np.zeros((2, 3, 3), dtype=np.float32)
    image[0, 0] = (1.0, 0.5, 0.0)
    image[1, 2] = (2.0, -1.0, np.nan)  # clipped, NaN as 0
    decoded = decode(png.encode(image))
    assert tuple(decoded[0, 0]) == (255, 128, 0)
    assert tuple(decoded[1, 2]) == (255, 0, 0)


@pytest.mark.parametrize("shape", [(4, 4), (4, 4, 2), (0, 4, 3), (4, 4, 5)])
def test_encoding_refuses_what_is_not_an_image(shape):
    with pytest.raises(ValueError, match="shape"):
        png.encode(np.zeros(shape, dtype=np.uint8))


def test_write_puts_the_bytes_in_a_file(tmp_path):
    image = np.full((3, 5, 3), 200, dtype=np.uint8)
    png.write(tmp_path / "grey.png", image)
    assert decode((tmp_path / "grey.png").read_bytes()).shape == (3, 5, 3)


# --- drawing dots --------------------------------------------------------------------------------


def test_a_disc_is_filled_inside_its_outline_and_leaves_the_rest():
    image = np.zeros((20, 20, 3), dtype=np.uint8)
    png.draw_disc(image, (10.0, 10.0), 5.0, fill=(200, 0, 0), outline=(0, 0, 200))
    assert tuple(image[10, 10]) == (200, 0, 0)
    assert tuple(image[10, 14]) == (0, 0, 200)  # centre 14.5 is 4.5 away: on the outline
    assert tuple(image[10, 16]) == (0, 0, 0) and tuple(image[0, 0]) == (0, 0, 0)


def test_a_disc_without_fill_is_a_ring_and_one_past_the_edge_is_clipped():
    image = np.full((10, 10, 4), 7, dtype=np.uint8)
    png.draw_disc(image, (5.0, 5.0), 3.0, fill=None, outline=(1, 2, 3))
    assert tuple(image[5, 5]) == (7, 7, 7, 7)
    assert tuple(image[5, 2]) == (1, 2, 3, 255)  # an RGB colour paints an RGBA image opaque
    png.draw_disc(image, (-1.0, 11.0), 3.0, fill=(9, 9, 9), outline=(9, 9, 9))
    assert tuple(image[9, 0]) == (9, 9, 9, 255)
    png.draw_disc(image, (100.0, 100.0), 3.0, fill=(9, 9, 9), outline=(9, 9, 9))  # wholly outside


def test_points_land_where_their_coordinates_say_with_y_upwards():
    image = np.full((100, 200, 3), 255, dtype=np.uint8)
    bounds = (0.0, 2.0, 0.0, 1.0)  # 100 pixels per unit
    points = np.array([[0.25, 0.75], [1.75, 0.25]])  # top left and bottom right
    png.draw_points(image, bounds, points, np.array([1.0, -1.0]), radius=5)
    assert tuple(image[25, 25]) == png.POINT_RED
    assert tuple(image[75, 175]) == png.POINT_BLUE
    assert tuple(image[75, 25]) == (255, 255, 255) and tuple(image[25, 175]) == (255, 255, 255)


def test_test_points_have_a_white_centre_and_a_coloured_ring():
    image = np.zeros((40, 40, 3), dtype=np.uint8)
    png.draw_points(image, (0.0, 1.0, 0.0, 1.0), np.array([[0.5, 0.5]]), np.array([1.0]),
                    hollow=True, radius=8)
    assert tuple(image[20, 20]) == (255, 255, 255)
    assert tuple(image[20, 14]) == png.POINT_RED
    assert tuple(image[20, 12]) == png.OUTLINE


# --- mlgarden render -----------------------------------------------------------------------------


def graph_file(tmp_path, result_of, name="graph.yaml", dataset="linear"):
    builder = Builder(seed=0)
    out = result_of(builder)
    document = builder.finish(result=out, loss=builder.loss("squared_error", out))
    document.set_dataset(name=dataset, points=100, noise=0.0, seed=0)
    path = tmp_path / name
    fileformat.save(document, path)
    return path


def render(tmp_path, graph, *extra):
    out = tmp_path / "picture.png"
    code = cli.main(["render", str(graph), "--out", str(out), *extra])
    assert code == 0
    return decode(out.read_bytes())


def is_red(pixel):
    red, green, blue = (int(channel) for channel in pixel[:3])
    return red > 150 and red > blue + 80 and red > green + 80


def is_blue(pixel):
    red, green, blue = (int(channel) for channel in pixel[:3])
    return blue > 150 and blue > red + 80


def test_render_draws_a_square_picture_of_the_requested_size(tmp_path):
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.y()))
    image = render(tmp_path, graph, "--size", "64")
    assert image.shape == (64, 64, 3)


def mean_colour(pixels):
    return pixels.reshape(-1, 3).mean(axis=0)


def test_render_puts_positive_y_at_the_top_and_positive_x_at_the_right(tmp_path):
    upwards = render(tmp_path, graph_file(tmp_path, lambda b: tanh(b.const(5.0) * b.y()), "up.yaml"),
                     "--size", "100")
    assert is_red(mean_colour(upwards[:10])) and is_blue(mean_colour(upwards[-10:]))
    rightwards = render(tmp_path, graph_file(tmp_path, lambda b: tanh(b.const(5.0) * b.x()), "right.yaml"),
                        "--size", "100")
    assert is_blue(mean_colour(rightwards[:, :10])) and is_red(mean_colour(rightwards[:, -10:]))


def test_render_draws_every_point(tmp_path):
    graph = graph_file(tmp_path, lambda b: b.const(0.0) * b.x())  # a white surface everywhere
    image = render(tmp_path, graph, "--points", "30", "--size", "300")
    white = np.all(image == 255, axis=2)
    assert white.mean() < 0.995  # the dots cover some of it
    dataset = load_dataset("linear", 30, 0.0, 0)
    xmin, xmax, ymin, ymax = dataset.bounds(0.1)
    for (x, y), label in zip(dataset.points, dataset.labels):
        column = int((x - xmin) / (xmax - xmin) * 300)
        row = int((ymax - y) / (ymax - ymin) * 300)
        assert not white[row - 2:row + 3, column - 2:column + 3].all()  # a test dot's centre is white


def stored_dataset(path):
    settings = fileformat.load(path).dataset
    return load_dataset(settings.name, settings.points, settings.noise, settings.seed)


def clear_pixel_near(x, y, dataset, size):
    """(row, column) of a pixel near (x, y) that no dot covers, so it shows the surface."""
    xmin, xmax, ymin, ymax = dataset.bounds(0.1)
    columns = (dataset.points[:, 0] - xmin) / (xmax - xmin) * size
    rows = (ymax - dataset.points[:, 1]) / (ymax - ymin) * size
    target_column, target_row = (x - xmin) / (xmax - xmin) * size, (ymax - y) / (ymax - ymin) * size
    candidates = sorted(((r, c) for r in range(size) for c in range(size)),
                        key=lambda rc: (rc[0] + 0.5 - target_row) ** 2 + (rc[1] + 0.5 - target_column) ** 2)
    clear = max(2.5, size / 90.0) + 1.0  # the dot radius draw_points picks, and a pixel more
    for row, column in candidates:
        if np.min(np.hypot(columns - column - 0.5, rows - row - 0.5)) > clear:
            return row, column
    raise AssertionError("every pixel is under a dot")


def test_after_training_the_surface_is_red_inside_the_donut_and_blue_outside(tmp_path):
    trained = tmp_path / "trained.yaml"
    assert cli.main(["train", str(EXAMPLES / "donut-distance.yaml"), "--save", str(trained), "--json"]) == 0
    image = render(tmp_path, trained, "--size", "240")
    dataset = stored_dataset(trained)
    assert is_red(image[clear_pixel_near(0.0, 0.0, dataset, 240)])
    assert is_blue(image[clear_pixel_near(1.6, 1.6, dataset, 240)])
    assert is_blue(image[clear_pixel_near(-1.6, -1.6, dataset, 240)])


def test_before_training_the_surface_is_not_yet_the_donut(tmp_path):
    image = render(tmp_path, EXAMPLES / "donut-distance.yaml", "--size", "240")
    dataset = stored_dataset(EXAMPLES / "donut-distance.yaml")
    inside = image[clear_pixel_near(0.0, 0.0, dataset, 240)]
    outside = image[clear_pixel_near(1.6, 1.6, dataset, 240)]
    assert not (is_red(inside) and is_blue(outside))


def test_render_can_use_another_dataset(tmp_path):
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.x()))
    assert render(tmp_path, graph, "--dataset", "moons", "--noise", "0.2", "--seed", "3",
                  "--size", "32").shape == (32, 32, 3)


@pytest.mark.parametrize("arguments, message", [
    (["--size", "0"], "size"),
    (["--size", "99999"], "size"),
    (["--dataset", "nonsense"], "unknown dataset"),
    (["--points", "-3"], "points"),
    (["--noise", "2"], "noise"),
])
def test_render_refuses_bad_arguments_in_one_line(tmp_path, capsys, arguments, message):
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.x()))
    code = cli.main(["render", str(graph), "--out", str(tmp_path / "x.png"), *arguments])
    error = capsys.readouterr().err
    assert code == 2
    assert message in error and error.count("\n") == 1 and "Traceback" not in error
    assert not (tmp_path / "x.png").exists()


def test_render_without_a_result_or_a_file_fails_in_one_line(tmp_path, capsys):
    builder = Builder(seed=0)
    builder.param() * builder.x()
    path = tmp_path / "no-result.yaml"
    fileformat.save(builder.finish(), path)
    assert cli.main(["render", str(path), "--out", str(tmp_path / "x.png")]) == 2
    assert "no result" in capsys.readouterr().err
    assert cli.main(["render", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "x.png")]) == 2
    assert "no such file" in capsys.readouterr().err
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.x()))
    assert cli.main(["render", str(graph), "--out", str(tmp_path / "no" / "folder.png")]) == 2
    assert "could not write" in capsys.readouterr().err


@pytest.mark.parametrize("spelling", ["same", "link", "dotted"])
def test_render_refuses_to_draw_over_its_own_graph(tmp_path, capsys, spelling):
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.x()))
    before = graph.read_bytes()
    out = {"same": graph, "link": tmp_path / "link.png", "dotted": tmp_path / "." / graph.name}[spelling]
    if spelling == "link":
        out.symlink_to(graph)
    code = cli.main(["render", str(graph), "--out", str(out)])
    error = capsys.readouterr().err
    assert code == 2
    assert error == (f"mlgarden: {out}: is the graph being drawn; the picture needs another name "
                     "(--out surface.png)\n")
    assert graph.read_bytes() == before


def test_render_writes_the_picture_atomically_and_keeps_a_link(tmp_path, capsys):
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.x()))
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "surface.png").write_bytes(b"old")
    link = tmp_path / "latest.png"
    link.symlink_to(pictures / "surface.png")
    assert cli.main(["render", str(graph), "--out", str(link), "--size", "16"]) == 0
    assert link.is_symlink() and (pictures / "surface.png").read_bytes().startswith(b"\x89PNG")
    assert sorted(path.name for path in pictures.iterdir()) == ["surface.png"]  # no temporary left


def test_render_says_what_it_wrote_as_export_does(tmp_path, capsys):
    graph = graph_file(tmp_path, lambda b: tanh(b.param(2.0) * b.x()))
    out = tmp_path / "surface.png"
    assert cli.main(["render", str(graph), "--out", str(out)]) == 0
    assert capsys.readouterr() == (f"wrote {out}\n", "")
    assert out.read_bytes().startswith(b"\x89PNG")
