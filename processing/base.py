"""The base class of every InSAR Fusion algorithm: naming, help, error handling, clean outputs."""
import errno
import math
import os
import re
import tempfile
import traceback

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingException,
                       QgsProcessingParameterDateTime, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterFolderDestination, QgsProcessingParameterMultipleLayers,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterDestination,
                       QgsProcessingParameterRasterLayer, QgsProcessingParameterVectorDestination,
                       QgsProcessingParameterVectorLayer, QgsProject)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .. import settings as plugin_settings
from ..core.atomic import remove_outputs
from ..core.collector import older_objects_frozen
from ..core.dates import to_date
from ..core.errors import Cancelled, InputError
from ..core.inputs import csv_truncation, disk_failure, read_failure, unreadable
from ..core.progress import Progress, running

GROUPS = {
    "insar": "InSAR points",
    "optical": "Optical indices",
    "regression": "Regression",
    "timeseries": "Time series",
    "coherence": "Coherence",
    "sample": "Sample data",
    "study": "Whole study",
}
HOMEPAGE = "https://github.com/insar-fusion/insar_fusion"
TRACKER = HOMEPAGE + "/issues"
_DOCS = {"insar": "insar", "optical": "optical", "regression": "regression",
         "timeseries": "timeseries", "coherence": "coherence", "sample": "scene", "study": "study"}
_ICON = os.path.join(os.path.dirname(os.path.dirname(__file__)), "resources", "icon.svg")
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
_INPUTS = (QgsProcessingParameterFeatureSource, QgsProcessingParameterVectorLayer,
           QgsProcessingParameterRasterLayer, QgsProcessingParameterMultipleLayers, QgsProcessingParameterFile)
_DESTINATIONS = (QgsProcessingParameterVectorDestination, QgsProcessingParameterRasterDestination,
                 QgsProcessingParameterFileDestination, QgsProcessingParameterFolderDestination)


def help_html(text: str) -> str:
    """Help for the Processing dialog, which shows every newline as a line break: blank lines
    become paragraph breaks, a line starting with <b> starts a new line, other wraps are spaces."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    lines = [re.sub(r"\s*\n\s*", " ", re.sub(r"\s*\n\s*(?=<b>)", "<br>", p)) for p in paragraphs]
    return "<br><br>".join(lines)


class InsarFusionAlgorithm(QgsProcessingAlgorithm):
    """Subclasses set NAME, DISPLAY, GROUP and HELP, and implement initAlgorithm and process().

    process(parameters, context, feedback, progress) returns the results dict. It raises
    core.errors.InputError for bad input; this class turns that into a
    QgsProcessingException, removes any output the run created and leaves inputs alone.
    Destination paths are resolved once, before process(); read them with self.dest(name).
    """

    NAME = ""
    DISPLAY = ""
    GROUP = ""
    HELP = ""

    def __init__(self):
        super().__init__()
        self._dests = {}
        self._post_processors = []

    # --- identity -------------------------------------------------------------------------
    def name(self):
        return self.NAME

    def displayName(self):
        return self.tr(self.DISPLAY)

    def group(self):
        return self.tr(GROUPS[self.GROUP])

    def groupId(self):
        return self.GROUP

    def shortHelpString(self):
        return self.tr(help_html(with_settings(self.HELP)))

    def helpUrl(self):
        """The group's reference page (docs/<group>.md in the repository)."""
        return f"{HOMEPAGE}/blob/main/docs/{_DOCS[self.GROUP]}.md" if self.GROUP in _DOCS else ""

    def icon(self):
        return QIcon(_ICON)

    def createInstance(self):
        return type(self)()

    def tr(self, text):
        return QCoreApplication.translate("InsarFusion", text)

    # --- running ----------------------------------------------------------------------------
    def process(self, parameters, context, feedback, progress):
        raise NotImplementedError

    def dest(self, name: str) -> str:
        """The resolved path of a destination parameter ('' when an optional one was not set)."""
        return self._dests.get(name, "")

    def optional_number(self, parameters, name: str, context, integer: bool = False):
        """An optional number parameter: None when unset (missing, None or ''), else its value
        as QGIS reads it (parameterAsInt with integer=True, parameterAsDouble otherwise)."""
        value = parameters.get(name)
        if value is None or value == "":
            return None
        read = self.parameterAsInt if integer else self.parameterAsDouble
        return read(parameters, name, context)

    def processAlgorithm(self, parameters, context, feedback):
        self._dests = {}
        created = []
        try:
            try:
                self._check_numbers(parameters)
                self._resolve_destinations(parameters, context)
                created = [p for p in self._dests.values() if p and not os.path.exists(p)]
                progress = Progress(lambda f: feedback.setProgress(100.0 * f), feedback.isCanceled)
                with running(progress), older_objects_frozen():
                    results = self.process(parameters, context, feedback, progress)
                if feedback.isCanceled():
                    raise Cancelled()
                return results
            except Cancelled as e:
                raise QgsProcessingException(str(e)) from None
            except InputError as e:
                raise QgsProcessingException(str(e)) from None
            except QgsProcessingException:
                raise
            except RuntimeError as e:  # GDAL/HDF5 reading a damaged file is bad input, anything else a bug
                message = read_failure(str(e)) or disk_failure(str(e))
                if message is None:
                    feedback.pushDebugInfo(traceback.format_exc())
                    message = self._bug_message(e)
                raise QgsProcessingException(message) from None
            except OSError as e:  # the disk, not the plugin: full, read-only or refused
                if e.errno not in _DISK_ERRORS:
                    feedback.pushDebugInfo(traceback.format_exc())
                    raise QgsProcessingException(self._bug_message(e)) from None
                raise QgsProcessingException(
                    f"Writing or reading '{e.filename or 'a file'}' failed: {e.strerror or e}. Free some "
                    "disk space, or choose a location where you may write, and run it again.") from None
            except MemoryError:
                raise QgsProcessingException(
                    "Out of memory. Run on a smaller extent or fewer points, or close other programs."
                ) from None
            except Exception as e:  # a bug: keep the details in the log's debug info, not in the message
                feedback.pushDebugInfo(traceback.format_exc())
                raise QgsProcessingException(self._bug_message(e)) from None
        except Exception:  # every handler above raises a QgsProcessingException: clean up once
            remove_outputs(created)
            raise

    def _bug_message(self, e: Exception) -> str:
        return (f"Unexpected error in '{self.displayName()}': {type(e).__name__}: {e}. "
                f"This is a bug in InSAR Fusion; please report it at {TRACKER}.")

    def _check_numbers(self, parameters):
        """NaN passes QGIS's range checks; no parameter of this plugin means anything by it."""
        for p in self.parameterDefinitions():
            value = parameters.get(p.name())
            if isinstance(p, QgsProcessingParameterNumber) and isinstance(value, (float, str)):
                try:
                    nan = math.isnan(float(value))
                except ValueError:
                    continue
                if nan:
                    raise InputError(f"{p.name()} is not a number (NaN); give a value.")

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's checks, with plainer words for inputs it cannot load, and truncated CSV files."""
        ok, message = super().checkParameterValues(parameters, context)
        problem = self._input_problem(parameters, not ok)
        if problem:
            return False, problem
        return ok, message

    def _input_problem(self, parameters, qgis_failed: bool) -> str:
        for p in self.parameterDefinitions():
            value = parameters.get(p.name())
            if isinstance(p, QgsProcessingParameterDateTime) and isinstance(value, str) and value:
                try:
                    to_date(value)
                except InputError:
                    return f"{p.name()}: '{value}' is not a date; write it as YYYY-MM-DD."
            if not isinstance(p, _INPUTS):
                continue
            raster = isinstance(p, QgsProcessingParameterRasterLayer) or (
                isinstance(p, QgsProcessingParameterMultipleLayers) and p.layerType() == QgsProcessing.SourceType.TypeRaster)
            for path in _paths(value):
                if not os.path.exists(path):
                    if qgis_failed and os.path.isabs(path) and QgsProject.instance().mapLayer(path) is None:
                        return f"{p.name()}: '{path}' does not exist."
                    continue
                problem = csv_truncation(path)
                if problem:
                    return f"{p.name()}: {problem}"
                any_file = isinstance(p, QgsProcessingParameterMultipleLayers) and \
                    p.layerType() == QgsProcessing.SourceType.TypeFile  # files of any kind: the algorithm checks them
                if qgis_failed and os.path.isfile(path) and not isinstance(p, QgsProcessingParameterFile) \
                        and not any_file:
                    problem = unreadable(path, raster)
                    if "cannot be read" in problem:
                        return f"{p.name()}: {problem}"
        return ""

    def _resolve_destinations(self, parameters, context):
        for p in self.parameterDefinitions():
            if not isinstance(p, _DESTINATIONS):
                continue
            name = p.name()
            if isinstance(p, (QgsProcessingParameterVectorDestination, QgsProcessingParameterRasterDestination)):
                path = self.parameterAsOutputLayer(parameters, name, context)
            elif isinstance(p, QgsProcessingParameterFileDestination):
                path = self.parameterAsFileOutput(parameters, name, context)
            else:
                path = self.parameterAsString(parameters, name, context)
                if path == "TEMPORARY_OUTPUT" or (not path and not p.flags() & p.FlagOptional):
                    path = self.parameterAsFileOutput(parameters, name, context)
            path = path or ""
            if path and not path.startswith(("memory:", "ogr:", "postgres:", "postgis:")):
                _check_writable(path, isinstance(p, QgsProcessingParameterFolderDestination))
            self._dests[name] = path


def _can_create_in(folder: str) -> bool:
    """True if a file can really be created in `folder` (root passes os.access checks in /proc)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".insarfusion-probe-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.remove(name)
    return True


def _check_writable(path: str, is_folder: bool) -> None:
    folder = path if is_folder else (os.path.dirname(os.path.abspath(path)) or ".")
    probe = folder
    while probe and not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe) or not _can_create_in(probe):
        raise InputError(f"Cannot write to '{folder}': the folder is not writable. "
                         "Choose an output location where you have write permission.")
    if not is_folder and os.path.isdir(path):
        raise InputError(f"The output '{path}' is a folder; give a file name.")


def _paths(value) -> list:
    """The file paths in a layer parameter's value (strings only; layer objects are QGIS's)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for v in values:
        if not isinstance(v, str) or not v or "://" in v or v.startswith(("memory:", "ogr:", "postgres")):
            continue
        out.append(v.split("|")[0])
    return out


_SETTING = re.compile(r"\{setting:(\w+)\}")


def with_settings(text: str) -> str:
    """The help text with each {setting:key} replaced by the plugin setting's current value, so
    that it says what the parameter's default now is (the settings dialog can change it)."""
    return _SETTING.sub(lambda m: f"{plugin_settings.value(m.group(1)):g}", text)
