using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class WarmJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "WarmJobs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupId = table.Column<long>(type: "INTEGER", nullable: false),
                    VirtualRegistryId = table.Column<long>(type: "INTEGER", nullable: true),
                    SyncRuleId = table.Column<long>(type: "INTEGER", nullable: true),
                    ManifestOnly = table.Column<bool>(type: "INTEGER", nullable: false),
                    Platforms = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Manifests = table.Column<int>(type: "INTEGER", nullable: false),
                    Blobs = table.Column<int>(type: "INTEGER", nullable: false),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    FailedImages = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WarmJobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WarmJobs_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_WarmJobs_VirtualRegistries_VirtualRegistryId",
                        column: x => x.VirtualRegistryId,
                        principalTable: "VirtualRegistries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "WarmJobImages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Digest = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Manifests = table.Column<int>(type: "INTEGER", nullable: false),
                    Blobs = table.Column<int>(type: "INTEGER", nullable: false),
                    Bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WarmJobImages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WarmJobImages_WarmJobs_JobId",
                        column: x => x.JobId,
                        principalTable: "WarmJobs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WarmJobImages_JobId_Position",
                table: "WarmJobImages",
                columns: new[] { "JobId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_WarmJobs_GroupId_CreatedAt",
                table: "WarmJobs",
                columns: new[] { "GroupId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_WarmJobs_Status",
                table: "WarmJobs",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_WarmJobs_VirtualRegistryId",
                table: "WarmJobs",
                column: "VirtualRegistryId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "WarmJobImages");

            migrationBuilder.DropTable(
                name: "WarmJobs");
        }
    }
}
